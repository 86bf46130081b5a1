package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.EntityData;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.ProtocolException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The rules the core owns for every store, proven over a backend that only records its primitives. */
class BackedSyncStoreTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private final RecordingBackend backend = new RecordingBackend();
    private final SyncStore store = SyncStores.of("recording", backend);

    private static ChangeBatch batch(long prev, long lsn, Change... changes) {
        return new ChangeBatch("b" + lsn, Lsn.of(prev), Lsn.of(lsn), List.of(changes));
    }

    private static Change update(String id, String data) {
        return Change.update("todo", id, data, T);
    }

    @Test
    void appliesThroughOneTransactionAndCommitsPositionAndChecksumTogether() {
        Change first = update("1", "{\"a\":1}");
        Change second = Change.delete("todo", "2", T);

        ApplyResult result = store.apply(batch(0, 10, first, second));

        assertThat(result).isEqualTo(ApplyResult.applied(Lsn.of(10)));
        assertThat(backend.calls).containsExactly("begin", "upsert todo/1 {\"a\":1}", "delete todo/2",
                "commit " + new StorePosition(Lsn.of(10), Checksum.of(first) + Checksum.of(second)), "close");
        assertThat(store.committedChecksum()).isEqualTo(Checksum.of(List.of(first, second)));
    }

    @Test
    void decidesDuplicatesAndGapsWithoutWritingOrReadingTheChanges() {
        store.apply(batch(0, 10, update("1", "{}")));
        backend.calls.clear();
        ChangeSource untouchable = () -> {
            throw new AssertionError("a batch that is not applied is not read");
        };

        assertThat(store.apply(new BatchHeader("dup", Lsn.of(0), Lsn.of(10)), untouchable).outcome())
                .isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(store.apply(new BatchHeader("gap", Lsn.of(20), Lsn.of(30)), untouchable).outcome())
                .isEqualTo(ApplyOutcome.GAP);
        assertThat(store.apply(new BatchHeader("overlap", Lsn.of(5), Lsn.of(30)), untouchable).outcome())
                .isEqualTo(ApplyOutcome.GAP);
        assertThat(backend.calls).containsExactly("begin", "close", "begin", "close", "begin", "close");
    }

    @Test
    void dataThatIsNotOneJsonObjectIsAnInvalidChangeAndNothingCommits() {
        assertThatThrownBy(() -> store.apply(batch(0, 10, update("1", "{}"), update("2", "[1]"))))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CHANGE))
                .hasMessageContaining("todo '2'")
                .hasMessageContaining("nothing of the batch was applied");
        assertThat(backend.calls).containsExactly("begin", "upsert todo/1 {}", "close");
        assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
    }

    @Test
    void aProtocolExceptionFromTheBackendIsAnInvalidChange() {
        backend.failUpsertWith = new ProtocolException(ErrorCode.INVALID_FIELD, "merge failed");

        assertThatThrownBy(() -> store.apply(batch(0, 10, update("1", "{}"))))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CHANGE))
                .hasMessageContaining("merge failed");
        assertThat(backend.calls).containsExactly("begin", "close");
    }

    @Test
    void aFailingSourcePassesUnchangedAndNothingCommits() {
        ChangeSourceException broken = new ChangeSourceException("connection lost");
        ChangeSource source = () -> {
            throw broken;
        };

        assertThatThrownBy(() -> store.apply(new BatchHeader("b", Lsn.ZERO, Lsn.of(10)), source)).isSameAs(broken);
        assertThat(backend.calls).containsExactly("begin", "close");
    }

    @Test
    void argumentsAreCheckedBeforeTheBackendSeesThem() {
        assertThatThrownBy(() -> store.resetHistory("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("historyId is empty");
        assertThatThrownBy(() -> store.putMetadata("k".repeat(201), "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 200 characters");
        assertThatThrownBy(() -> store.putMetadata("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.putMetadata("k", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value is null");
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void afterCloseEveryCallButCloseIsRefusedAndTheBackendClosesOnce() {
        store.close();
        store.close();

        assertThat(backend.closed).isEqualTo(1);
        assertThatThrownBy(store::committedLsn).isInstanceOfSatisfying(SyncStoreException.class,
                e -> assertThat(e.code()).isEqualTo(StoreErrorCode.CLOSED));
        assertThatThrownBy(() -> store.apply(batch(0, 10))).isInstanceOfSatisfying(SyncStoreException.class,
                e -> assertThat(e.code()).isEqualTo(StoreErrorCode.CLOSED));
        assertThatThrownBy(() -> store.get("todo", "1")).isInstanceOf(SyncStoreException.class);
    }

    /** Records the primitives called; keeps only the position. */
    private static final class RecordingBackend implements StoreBackend {
        final List<String> calls = new ArrayList<>();
        StorePosition position = StorePosition.START;
        RuntimeException failUpsertWith;
        int closed;

        @Override
        public BatchTransaction beginBatch(BatchHeader header) {
            calls.add("begin");
            StorePosition before = position;
            return new BatchTransaction() {
                @Override
                public StorePosition position() {
                    return before;
                }

                @Override
                public void upsert(String entityType, String entityId, EntityData data) {
                    if (failUpsertWith != null) {
                        throw failUpsertWith;
                    }
                    calls.add("upsert " + entityType + "/" + entityId + " " + data.text());
                }

                @Override
                public void move(String entityType, String fromId, String toId, EntityData data) {
                    calls.add("move " + entityType + "/" + fromId + "->" + toId);
                }

                @Override
                public void delete(String entityType, String entityId) {
                    calls.add("delete " + entityType + "/" + entityId);
                }

                @Override
                public void truncate(String entityType) {
                    calls.add("truncate " + entityType);
                }

                @Override
                public void commit(StorePosition committed) {
                    calls.add("commit " + committed);
                    position = committed;
                }

                @Override
                public void close() {
                    calls.add("close");
                }
            };
        }

        @Override
        public void recordPending(Lsn lsn) {
            calls.add("pending " + lsn);
        }

        @Override
        public void clearPending() {
            calls.add("clear pending");
        }

        @Override
        public void resetHistory(String historyId) {
            calls.add("reset " + historyId);
        }

        @Override
        public void putMetadata(String key, String value) {
            calls.add("metadata " + key);
        }

        @Override
        public StorePosition position() {
            return position;
        }

        @Override
        public Optional<String> historyId() {
            return Optional.empty();
        }

        @Override
        public Optional<Lsn> pendingLsn() {
            return Optional.empty();
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            return Optional.empty();
        }

        @Override
        public long count(String entityType) {
            return 0;
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {}

        @Override
        public Optional<String> metadata(String key) {
            return Optional.empty();
        }

        @Override
        public void close() {
            closed++;
        }
    }
}
