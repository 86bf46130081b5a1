package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** The flawed stores: each is {@link BaselineStore} with one step done wrong, and named after it. */
final class FlawedStores {

    private FlawedStores() {}

    /** Commits the new position in a transaction of its own, then the data in another. */
    static final class PositionBeforeData extends BaselineStore {
        PositionBeforeData(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void began(BatchHeader header, StorePosition position) throws SQLException {
            if (header.outcomeAt(position.lsn()) == ApplyOutcome.APPLIED) {
                control.executeUpdate("UPDATE tidemark_state SET committed_lsn = " + header.lsn().value() + " WHERE id = 1");
                commitAndBeginAgain();
            }
        }
    }

    /** Commits the data in one transaction, then the position in another, right after. */
    static final class PositionAfterData extends BaselineStore {
        PositionAfterData(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void commitPosition(StorePosition position) throws SQLException {
            commitAndBeginAgain();
            super.commitPosition(position);
        }
    }

    /** Commits every 100 changes, so a batch that fails in the middle leaves its first part behind. */
    static final class HalfBatchOnFailure extends BaselineStore {
        private int written;

        HalfBatchOnFailure(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void afterChange() throws SQLException {
            if (++written % 100 == 0) {
                commitAndBeginAgain();
            }
        }
    }

    /**
     * Reads its position once, when it opens, and keeps it in a field (a "cache" of the state row), so
     * it decides every later batch against a stale position: it applies a batch it already holds once
     * more. (The decision itself is the core's under SPI v2; what a store can still get wrong is the
     * position it hands the core.)
     */
    static final class ReappliesDuplicates extends BaselineStore {
        private final StorePosition atOpen;

        ReappliesDuplicates(SqliteStoreConfig config) {
            super(config);
            atOpen = reads.position();
        }

        @Override
        protected StorePosition readPosition(BatchHeader header) {
            return atOpen;
        }
    }

    /** Trusts the batch to start where the store stands: hands the core the batch's {@code prevLsn} as its position. */
    static final class AcceptsGaps extends BaselineStore {
        AcceptsGaps(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected StorePosition readPosition(BatchHeader header) throws SQLException {
            return new StorePosition(header.prevLsn(), super.readPosition(header).checksum());
        }
    }

    /** An update replaces the stored entity instead of merging into it. */
    static final class UpdateReplaces extends BaselineStore {
        UpdateReplaces(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeUpsert(String entityType, String entityId, String data) throws SQLException {
            super.writeDelete(entityType, entityId);
            super.writeUpsert(entityType, entityId, data);
        }
    }

    /** A delete does nothing. */
    static final class DeleteDoesNothing extends BaselineStore {
        DeleteDoesNothing(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeDelete(String entityType, String entityId) {
            // forgotten
        }
    }

    /** Truncates with {@code LIKE} and the type unescaped (case-sensitive, as on most databases). */
    static final class TruncateWithUnescapedLike extends BaselineStore {
        TruncateWithUnescapedLike(SqliteStoreConfig config) {
            super(config);
            try (Statement statement = writer.createStatement()) {
                statement.execute("PRAGMA case_sensitive_like = ON");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected void writeTruncate(String entityType) throws SQLException {
            changes.flush();
            try (PreparedStatement truncate = writer.prepareStatement("DELETE FROM tidemark_entity WHERE entity_type LIKE ?")) {
                truncate.setString(1, entityType);
                truncate.executeUpdate();
            }
        }
    }

    /** Trims white space off entity ids, when writing and when reading. */
    static final class TrimsIds extends BaselineStore {
        TrimsIds(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeUpsert(String entityType, String entityId, String data) throws SQLException {
            super.writeUpsert(entityType, entityId.trim(), data);
        }

        @Override
        protected void writeMove(String entityType, String fromId, String toId, String data) throws SQLException {
            super.writeMove(entityType, fromId.trim(), toId.trim(), data);
        }

        @Override
        protected void writeDelete(String entityType, String entityId) throws SQLException {
            super.writeDelete(entityType, entityId.trim());
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            return super.get(entityType, entityId.trim());
        }
    }

    /** Does not record the pending marker. */
    static final class IgnoresPendingMarker extends BaselineStore {
        IgnoresPendingMarker(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        public void recordPending(Lsn lsn) {
            // forgotten
        }
    }

    /**
     * Returns from {@code apply} before committing: keeps one transaction open across batches and
     * commits it when the store closes (a "group commit" whose group never ends). Its reads go
     * through the writer's connection, so in one process everything looks applied.
     */
    static final class CommitsOnlyOnClose extends BaselineStore {
        private final WriterConnectionReads own;
        private boolean open;

        CommitsOnlyOnClose(SqliteStoreConfig config) {
            super(config);
            own = new WriterConnectionReads(writer, writing);
        }

        @Override
        protected void begin() throws SQLException {
            if (!open) {
                super.begin();
                open = true;
            }
        }

        @Override
        protected void commit() {
            // later
        }

        @Override
        protected void beforeClose() {
            if (open) {
                try {
                    super.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public StorePosition position() {
            return new StorePosition(own.committedLsn(), own.stateValue("committed_checksum").orElse(0L));
        }

        @Override
        public Optional<Lsn> pendingLsn() {
            return own.stateValue("pending_lsn").map(Lsn::of);
        }

        @Override
        public Optional<String> historyId() {
            return own.text("SELECT history_id FROM tidemark_state WHERE id = 1");
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            return own.text("SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?", entityType, entityId);
        }

        @Override
        public long count(String entityType) {
            return own.count(entityType);
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            own.forEach(entityType, action);
        }

        @Override
        public Optional<String> metadata(String key) {
            return own.text("SELECT value FROM tidemark_metadata WHERE key = ?", key);
        }
    }

    /** Reads entities and the position on the writer's connection without waiting: it sees a batch being written. */
    static final class ReadsUncommittedWrites extends BaselineStore {
        private final WriterConnectionReads own;

        ReadsUncommittedWrites(SqliteStoreConfig config) {
            super(config);
            own = new WriterConnectionReads(writer, null);
        }

        @Override
        public StorePosition position() {
            return new StorePosition(own.committedLsn(), own.stateValue("committed_checksum").orElse(0L));
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            return own.text("SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?", entityType, entityId);
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            own.forEach(entityType, action);
        }
    }

    /**
     * Keeps the running checksum in 32 bits (an {@code int} where the state needs a 64-bit value): the
     * sum the core computed is cut short when it is stored. (The core computes the checksum under SPI
     * v2; what a store can still get wrong is keeping it.)
     */
    static final class ChecksumCutTo32Bits extends BaselineStore {
        ChecksumCutTo32Bits(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void commitPosition(StorePosition position) throws SQLException {
            super.commitPosition(new StorePosition(position.lsn(), (int) position.checksum()));
        }
    }

    /** {@code forEach} reads 500 entities at a time, each page in a read of its own. */
    static final class PagedForEach extends BaselineStore {
        private static final int PAGE = 500;

        PagedForEach(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            String after = "";
            while (true) {
                String from = after;
                TreeMap<String, String> page = readers.read("reading a page", connection -> {
                    TreeMap<String, String> rows = new TreeMap<>();
                    try (PreparedStatement select = connection.prepareStatement("SELECT entity_id, data FROM tidemark_entity"
                            + " WHERE entity_type = ? AND entity_id > ? ORDER BY entity_id LIMIT " + PAGE)) {
                        select.setString(1, entityType);
                        select.setString(2, from);
                        try (ResultSet rs = select.executeQuery()) {
                            while (rs.next()) {
                                rows.put(rs.getString(1), rs.getString(2));
                            }
                        }
                    }
                    return rows;
                });
                page.forEach(action);
                if (page.size() < PAGE) {
                    return;
                }
                after = page.lastKey();
            }
        }
    }

    /** Holds the whole batch in a list and writes it at the commit. */
    static final class BuffersWholeBatch extends BaselineStore {
        BuffersWholeBatch(SqliteStoreConfig config) {
            super(config);
        }

        private final List<Step> held = new ArrayList<>();

        @Override
        protected void writeUpsert(String entityType, String entityId, String data) {
            held.add(() -> super.writeUpsert(entityType, entityId, data));
        }

        @Override
        protected void writeMove(String entityType, String fromId, String toId, String data) {
            held.add(() -> super.writeMove(entityType, fromId, toId, data));
        }

        @Override
        protected void writeDelete(String entityType, String entityId) {
            held.add(() -> super.writeDelete(entityType, entityId));
        }

        @Override
        protected void writeTruncate(String entityType) {
            held.add(() -> super.writeTruncate(entityType));
        }

        @Override
        protected void commitPosition(StorePosition position) throws SQLException {
            try {
                for (Step step : held) {
                    step.run();
                }
            } finally {
                held.clear();
            }
            super.commitPosition(position);
        }

        @Override
        protected void rollback() {
            held.clear();
            super.rollback();
        }
    }

    /** Opens a file a newer version wrote as if it were its own. */
    static final class IgnoresNewerSchemaVersion extends BaselineStore {
        IgnoresNewerSchemaVersion(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void migrate(Connection connection) throws SQLException {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
                rs.next();
                if (rs.getInt(1) > SqliteSchema.LATEST) {
                    return;
                }
            }
            super.migrate(connection);
        }
    }

    /**
     * Never syncs its log ({@code PRAGMA synchronous = OFF}): a power loss may take back acknowledged
     * batches. A process crash cannot — the operating system still writes its cache out — so the kit,
     * which can only kill processes, accepts this store; {@code KitRejectsEveryFlawedStoreTest} shows it.
     */
    static final class NeverSyncs extends BaselineStore {
        NeverSyncs(SqliteStoreConfig config) {
            super(config);
            try (Statement statement = writer.createStatement()) {
                statement.execute("PRAGMA synchronous = OFF");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
