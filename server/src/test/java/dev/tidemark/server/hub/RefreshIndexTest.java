package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.TableRefresh;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The refresh index: markers known from capture's word or read from the log")
class RefreshIndexTest {

    private static final Lsn L1 = Lsn.parse("0/100");
    private static final Lsn L2 = Lsn.parse("0/200");
    private static final Lsn L3 = Lsn.parse("0/300");
    private static final Lsn L4 = Lsn.parse("0/400");

    /** The log's markers; every read is recorded. */
    private final List<RefreshMarkers.Marker> inLog = new CopyOnWriteArrayList<>();
    private final List<String> reads = new CopyOnWriteArrayList<>();
    private final RefreshMarkers log = (after, upTo) -> {
        reads.add(after + ".." + upTo);
        return inLog.stream().filter(m -> m.lsn().isAfter(after) && !m.lsn().isAfter(upTo)).toList();
    };
    /** The loader runs only when the test says so. */
    private final Queue<Runnable> loads = new ArrayDeque<>();
    private final Executor loader = loads::add;
    private final AtomicInteger told = new AtomicInteger();
    private final RefreshIndex index = new RefreshIndex(log, loader, told::incrementAndGet);

    private void runLoads() {
        for (Runnable load = loads.poll(); load != null; load = loads.poll()) {
            load.run();
        }
    }

    /** What the index knows up to L1, read from the log (as after a start). */
    private void loadedUpToL1() {
        assertThat(index.request(L1)).isFalse();
        runLoads();
        assertThat(index.loadedUpTo()).isEqualTo(L1);
        reads.clear();
        told.set(0);
    }

    @Test
    @DisplayName("capture's word that continues what is known moves it without reading the log")
    void captureWordMovesWithoutReading() {
        loadedUpToL1();
        index.captured(L1, L2, List.of(new TableRefresh(L2, "orders", "table added")));
        index.captured(L2, L3, List.of());

        assertThat(index.request(L3)).as("known: the caller tells the sessions").isTrue();
        assertThat(loads).isEmpty();
        assertThat(reads).isEmpty();
        assertThat(index.loadedUpTo()).isEqualTo(L3);
        assertThat(index.within(L1, L3, EntityFilter.ALL)).containsExactly(new RefreshMarkers.Marker(L2, "orders"));
    }

    @Test
    @DisplayName("capture's word that does not continue what is known is ignored: the markers are read from the log")
    void gapFallsBackToTheLog() {
        loadedUpToL1();
        inLog.add(new RefreshMarkers.Marker(L2, "orders"));
        inLog.add(new RefreshMarkers.Marker(L3, "customers"));
        index.captured(L2, L3, List.of(new TableRefresh(L3, "customers", "table added")));
        assertThat(index.loadedUpTo()).isEqualTo(L1);

        assertThat(index.request(L3)).isFalse();
        runLoads();
        assertThat(reads).containsExactly(L1 + ".." + L3);
        assertThat(told.get()).isEqualTo(1);
        assertThat(index.within(L1, L3, EntityFilter.ALL)).containsExactly(new RefreshMarkers.Marker(L2, "orders"),
                new RefreshMarkers.Marker(L3, "customers"));
    }

    @Test
    @DisplayName("a load under way when capture's word arrives is dropped, and no marker is kept twice")
    void loadOverlappingCaptureWord() {
        loadedUpToL1();
        inLog.add(new RefreshMarkers.Marker(L2, "orders"));
        inLog.add(new RefreshMarkers.Marker(L4, "customers"));
        assertThat(index.request(L2)).isFalse(); // a load of (L1, L2] is queued, not run yet
        index.captured(L1, L2, List.of(new TableRefresh(L2, "orders", "table added")));
        assertThat(index.request(L4)).isFalse(); // (L2, L4] is not known: the queued load goes on to it
        runLoads();

        assertThat(index.loadedUpTo()).isEqualTo(L4);
        assertThat(reads).doesNotContain(L1 + ".." + L2).contains(L2 + ".." + L4);
        assertThat(index.within(Lsn.ZERO, L4, EntityFilter.ALL)).containsExactly(
                new RefreshMarkers.Marker(L2, "orders"), new RefreshMarkers.Marker(L4, "customers"));
    }

    @Test
    @DisplayName("after a new history, capture's word of the old one is ignored until the log is read again")
    void resetForgetsCaptureWord() {
        loadedUpToL1();
        index.reset();
        index.captured(L1, L2, List.of(new TableRefresh(L2, "orders", "table added")));
        assertThat(index.loadedUpTo()).isEqualTo(Lsn.ZERO);
        assertThat(index.within(Lsn.ZERO, L2, EntityFilter.ALL)).isEmpty();
        assertThat(index.request(L2)).isFalse();
        runLoads();
        assertThat(reads).containsExactly(Lsn.ZERO + ".." + L2);
    }
}
