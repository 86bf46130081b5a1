package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client's digests over a store's entities; the proof against a real store and the source is in the server's audit tests. */
@DisplayName("Source-verify digests of a store")
class StoreDigesterTest {

    /** Entities in a map, read with forEach; the position moves when {@code moveWhileReading} is set. */
    private static final class EntityMap implements SyncStore {
        final Map<String, Map<String, String>> entities = new LinkedHashMap<>();
        Lsn committed = Lsn.parse("0/10");
        boolean moveWhileReading;

        @Override
        public Lsn committedLsn() {
            return committed;
        }

        @Override
        public void forEach(String entityType, BiConsumer<String, String> action) {
            entities.getOrDefault(entityType, Map.of()).forEach(action);
            if (moveWhileReading) {
                committed = Lsn.parse("0/20");
            }
        }

        @Override
        public long committedChecksum() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> historyId() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Lsn> pendingLsn() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void recordPending(Lsn lsn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void clearPending() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void resetHistory(String historyId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ApplyResult apply(BatchHeader header, ChangeSource changes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> get(String entityType, String entityId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long count(String entityType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> metadata(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putMetadata(String key, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    @Test
    @DisplayName("the digests of the store's entities equal the protocol's digests of the same entities in any spelling")
    void digestsFollowTheDefinition() {
        EntityMap store = new EntityMap();
        store.entities.put("items", new LinkedHashMap<>(Map.of("1", "{\"v\": 1.50, \"a\": \"x\"}", "2", "{\"v\":2}")));
        StoreDigester.StoreDigests digests = new StoreDigester(store).digest(Map.of("items", 3, "empty", 0));
        TypeDigest expected = TypeDigest.builder("items", 3).add("2", "{\"v\":2e0}").add("1", "{\"a\":\"x\",\"v\":15e-1}").build();
        assertThat(digests.position()).isEqualTo(Lsn.parse("0/10"));
        assertThat(digests.types()).containsExactly(TypeDigest.empty("empty", 0), expected);
        int bucket = EntityDigest.bucket("1", 3);
        assertThat(new StoreDigester(store).entries("items", 3, Set.of(bucket))).contains(
                new EntityEntry("1", EntityDigest.hash("items", "1", "{\"a\":\"x\",\"v\":1.5}")));
    }

    @Test
    @DisplayName("data that is not JSON is a divergent entity, not a failed verify")
    void unreadableData() {
        EntityMap store = new EntityMap();
        store.entities.put("items", Map.of("1", "{not json"));
        List<EntityEntry> entries = new StoreDigester(store).entries("items", 0, Set.of(0));
        assertThat(EntityEntry.divergentIds(List.of(new EntityEntry("1", EntityDigest.hash("items", "1", "{}"))), entries))
                .containsExactly("1");
    }

    @Test
    @DisplayName("a store that moved while its digests were computed is refused")
    void storeMoved() {
        EntityMap store = new EntityMap();
        store.moveWhileReading = true;
        assertThatThrownBy(() -> new StoreDigester(store).digest(Map.of("items", 0)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("moved from 0/10 to 0/20");
    }
}
