package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
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
        protected long writeChanges(BatchHeader header, ChangeSource source, long checksum) throws SQLException {
            control.executeUpdate("UPDATE tidemark_state SET committed_lsn = " + header.lsn().value() + " WHERE id = 1");
            commitAndBeginAgain();
            return super.writeChanges(header, source, checksum);
        }
    }

    /** Commits the data in one transaction, then the position in another, right after. */
    static final class PositionAfterData extends BaselineStore {
        PositionAfterData(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void commitPosition(Lsn lsn, long checksum) throws SQLException {
            commitAndBeginAgain();
            super.commitPosition(lsn, checksum);
        }
    }

    /** Commits every 100 changes, so a batch that fails in the middle leaves its first part behind. */
    static final class HalfBatchOnFailure extends BaselineStore {
        private int written;

        HalfBatchOnFailure(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeChange(BatchHeader header, Change change) throws SQLException {
            super.writeChange(header, change);
            if (++written % 100 == 0) {
                commitAndBeginAgain();
            }
        }
    }

    /** Applies a batch the store already holds once more. */
    static final class ReappliesDuplicates extends BaselineStore {
        ReappliesDuplicates(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected ApplyOutcome decide(BatchHeader header, Lsn committed) {
            ApplyOutcome outcome = super.decide(header, committed);
            return outcome == ApplyOutcome.DUPLICATE ? ApplyOutcome.APPLIED : outcome;
        }
    }

    /** Applies a batch that does not start where the store stands. */
    static final class AcceptsGaps extends BaselineStore {
        AcceptsGaps(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected ApplyOutcome decide(BatchHeader header, Lsn committed) {
            ApplyOutcome outcome = super.decide(header, committed);
            return outcome == ApplyOutcome.GAP ? ApplyOutcome.APPLIED : outcome;
        }
    }

    /** An update replaces the stored entity instead of merging into it. */
    static final class UpdateReplaces extends BaselineStore {
        UpdateReplaces(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeChange(BatchHeader header, Change change) throws SQLException {
            if (change.type() == ChangeType.UPDATE) {
                super.writeChange(header, Change.delete(change.entityType(), change.entityId(), change.timestamp()));
            }
            super.writeChange(header, change);
        }
    }

    /** A delete does nothing. */
    static final class DeleteDoesNothing extends BaselineStore {
        DeleteDoesNothing(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected void writeChange(BatchHeader header, Change change) throws SQLException {
            if (change.type() != ChangeType.DELETE) {
                super.writeChange(header, change);
            }
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
        protected void writeChange(BatchHeader header, Change change) throws SQLException {
            if (change.type() != ChangeType.TRUNCATE) {
                super.writeChange(header, change);
                return;
            }
            changes.flush();
            try (PreparedStatement truncate = writer.prepareStatement("DELETE FROM tidemark_entity WHERE entity_type LIKE ?")) {
                truncate.setString(1, change.entityType());
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
        protected void writeChange(BatchHeader header, Change change) throws SQLException {
            super.writeChange(header, change.entityId() == null ? change
                    : new Change(change.type(), change.entityType(), change.entityId().trim(), change.data(), change.timestamp()));
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
            checkOpen();
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
        public Lsn committedLsn() {
            checkOpen();
            return own.committedLsn();
        }

        @Override
        public long committedChecksum() {
            checkOpen();
            return own.stateValue("committed_checksum").orElse(0L);
        }

        @Override
        public Optional<Lsn> pendingLsn() {
            checkOpen();
            return own.stateValue("pending_lsn").map(Lsn::of);
        }

        @Override
        public Optional<String> historyId() {
            checkOpen();
            return own.text("SELECT history_id FROM tidemark_state WHERE id = 1");
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            checkOpen();
            return own.text("SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?", entityType, entityId);
        }

        @Override
        public long count(String entityType) {
            checkOpen();
            return own.count(entityType);
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            checkOpen();
            own.forEach(entityType, action);
        }

        @Override
        public Optional<String> metadata(String key) {
            checkOpen();
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
        public Lsn committedLsn() {
            checkOpen();
            return own.committedLsn();
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            checkOpen();
            return own.text("SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?", entityType, entityId);
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            checkOpen();
            own.forEach(entityType, action);
        }
    }

    /** Leaves deletes and truncates out of the running checksum. */
    static final class ChecksumSkipsDeletes extends BaselineStore {
        ChecksumSkipsDeletes(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected long checksumOf(Change change) {
            return change.type() == ChangeType.UPDATE ? super.checksumOf(change) : 0;
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
            checkOpen();
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

    /** Pulls the whole batch into a list before writing any of it. */
    static final class BuffersWholeBatch extends BaselineStore {
        BuffersWholeBatch(SqliteStoreConfig config) {
            super(config);
        }

        @Override
        protected long writeChanges(BatchHeader header, ChangeSource source, long checksum) throws SQLException {
            List<Change> all = new ArrayList<>();
            for (Change change = source.next(); change != null; change = source.next()) {
                all.add(change);
            }
            return super.writeChanges(header, ChangeSource.of(all), checksum);
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
