package dev.tidemark.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import dev.tidemark.server.feed.SnapshotSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The digester's own rules, over snapshots held in memory; the proof against a real source is SourceDigestAgreementTest. */
@DisplayName("Source digests: limits, pacing and repairs")
class SourceDigesterTest {

    private static final Instant TIME = Instant.parse("2026-01-02T03:04:05Z");
    private static final Lsn POSITION = Lsn.parse("0/ABC");

    /** A snapshot of rows in memory, handed out in chunks as the real one does: truncates first. */
    private record Rows(List<Change> rows) implements SnapshotSource {
        @Override
        public Snapshot open(Predicate<String> entityTypes) {
            List<Change> changes = new ArrayList<>();
            rows.stream().map(Change::entityType).distinct().filter(entityTypes)
                    .forEach(type -> changes.add(Change.truncate(type, TIME)));
            rows.stream().filter(row -> entityTypes.test(row.entityType())).forEach(changes::add);
            return new Snapshot() {
                private int next;

                @Override
                public Lsn position() {
                    return POSITION;
                }

                @Override
                public List<String> entityTypes() {
                    return changes.stream().filter(c -> c.entityId() == null).map(Change::entityType).toList();
                }

                @Override
                public List<Change> next(int maxChanges, long maxBytes) {
                    List<Change> chunk = changes.subList(next, Math.min(changes.size(), next + Math.min(maxChanges, 7)));
                    next += chunk.size();
                    return List.copyOf(chunk);
                }

                @Override
                public void close() {}
            };
        }
    }

    private static Rows items(int count) {
        List<Change> rows = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            rows.add(Change.update("items", Integer.toString(i), "{\"id\":" + i + "}", TIME));
        }
        return new Rows(rows);
    }

    @Test
    @DisplayName("a type the source does not publish has an empty digest; every row is paced in chunks")
    void unpublishedTypeAndPacing() {
        List<Integer> chunks = new ArrayList<>();
        SourceDigests digests = new SourceDigester(items(20), () -> chunks::add).digest(Map.of("items", 2, "gone", 0));
        assertThat(digests.position()).isEqualTo(POSITION);
        assertThat(digests.type("gone")).contains(TypeDigest.empty("gone", 0));
        assertThat(digests.type("items").orElseThrow().count()).isEqualTo(20);
        assertThat(chunks).hasSizeGreaterThan(2).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(7));
        assertThat(chunks.stream().mapToInt(Integer::intValue).sum()).isEqualTo(21);
    }

    @Test
    @DisplayName("a narrowing that would list too many entries, or bad buckets, is refused with what to do")
    void entryLimits() {
        SourceDigester digester = new SourceDigester(items(50), RowPacer::unlimited);
        assertThat(digester.entries("items", 0, Set.of(0), 50).entries()).hasSize(50);
        assertThatThrownBy(() -> digester.entries("items", 0, Set.of(0), 49)).isInstanceOf(SourceAuditException.class)
                .hasMessageContaining("more than 49").hasMessageContaining("more bucket bits");
        assertThatThrownBy(() -> digester.entries("items", 2, Set.of(4), 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket 4 does not exist at 2 bits");
        assertThatThrownBy(() -> digester.digest(Map.of("items", 13))).isInstanceOf(IllegalArgumentException.class);
        int bucket = EntityDigest.bucket("7", 3);
        assertThat(digester.entries("items", 3, Set.of(bucket), 50).entries())
                .allSatisfy(entry -> assertThat(EntityDigest.bucket(entry.entityId(), 3)).isEqualTo(bucket))
                .anySatisfy(entry -> assertThat(entry.entityId()).isEqualTo("7"));
    }

    @Test
    @DisplayName("a repair deletes each divergent entity and writes the whole source row back when there is one")
    void repair() {
        SourceRepair repair = new SourceDigester(items(5), RowPacer::unlimited)
                .repair(Map.of("items", List.of("4", "99"), "gone", List.of("x")));
        assertThat(repair.position()).isEqualTo(POSITION);
        assertThat(repair.changes()).containsExactly(
                Change.delete("gone", "x", TIME),
                Change.delete("items", "4", TIME),
                Change.update("items", "4", "{\"id\":4}", TIME),
                Change.delete("items", "99", TIME));
        assertThatThrownBy(() -> new SourceDigester(items(1), RowPacer::unlimited).repair(Map.of("items",
                java.util.stream.IntStream.range(0, SourceDigester.MAX_REPAIR + 1).mapToObj(Integer::toString).toList())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resync entity types [items]");
    }

    @Test
    @DisplayName("an interrupted scan stops with a clear error and keeps the interrupt")
    void interrupted() {
        SourceDigester digester = new SourceDigester(items(20), () -> rows -> {
            throw new InterruptedException();
        });
        try {
            assertThatThrownBy(() -> digester.digest(Map.of("items", 0))).isInstanceOf(SourceAuditException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
