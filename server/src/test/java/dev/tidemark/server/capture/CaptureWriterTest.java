package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CaptureListener;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The capture writer, on the PostgreSQL change log")
class CaptureWriterTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final int TRANSACTIONS = 2_000;

    private ChangeLog changeLog;
    private final ChangeFeed feed = new ChangeFeed();
    private final List<CapturedRange> published = new CopyOnWriteArrayList<>();
    private CaptureWriter writer;

    @BeforeEach
    void start() {
        changeLog = ServiceLoader.load(ChangeLogProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals("postgres")).findFirst().orElseThrow()
                .open(postgres.createDatabase().asChangeLogConfig());
        changeLog.startHistory("h1", Lsn.ZERO);
        feed.subscribe(published::add);
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.stop();
        }
        changeLog.close();
    }

    @Test
    @DisplayName("the chunks of a large transaction are told to the feed as each is logged, before the transaction"
            + " is whole: consecutive, after the transactions before it")
    void chunksArePublishedAhead() throws InterruptedException {
        List<Object> events = listen();
        PieceQueue queue = startChunkingWriter();
        Lsn small = Lsn.of(0x1_000_000L);
        Lsn large = Lsn.of(0x2_000_000L);
        queue.offer(new CapturePiece(List.of(row(small, 0, 1)), small, Instant.EPOCH, false, 16, 1), 10,
                TimeUnit.SECONDS);
        offerLarge(queue, large, 3);

        await().atMost(Duration.ofSeconds(30)).until(() -> published.stream().anyMatch(r -> r.to().equals(large)));
        List<LoggedChunk> chunks = events.stream().filter(LoggedChunk.class::isInstance).map(LoggedChunk.class::cast)
                .toList();
        assertThat(chunks).extracting(LoggedChunk::after).containsOnly(small);
        assertThat(chunks).extracting(LoggedChunk::lsn).containsOnly(large);
        assertThat(chunks.stream().flatMap(chunk -> chunk.changes().stream()).map(LoggedChange::seq).toList())
                .isEqualTo(IntStream.range(0, 300).boxed().toList());
        // Each chunk after the range that made the transactions before it visible, all before the transaction's own.
        int firstChunk = events.indexOf(chunks.get(0));
        int whole = events.size() - 1;
        assertThat(events.get(whole)).isInstanceOf(CapturedRange.class);
        assertThat(((CapturedRange) events.get(whole)).to()).isEqualTo(large);
        assertThat(events.subList(0, firstChunk)).anySatisfy(event -> assertThat(event).isInstanceOf(CapturedRange.class)
                .extracting(range -> ((CapturedRange) range).to()).isEqualTo(small));
    }

    @Test
    @DisplayName("the first transaction after the writer's start is not told ahead: the previous session may have logged"
            + " part of it, and the log keeps those rows, not the replay's")
    void firstTransactionAfterStartIsNotPublishedAhead() throws InterruptedException {
        List<Object> events = listen();
        PieceQueue queue = startChunkingWriter();
        Lsn large = Lsn.of(0x2_000_000L);
        offerLarge(queue, large, 2);

        await().atMost(Duration.ofSeconds(30)).until(() -> published.stream().anyMatch(r -> r.to().equals(large)));
        assertThat(events).noneMatch(LoggedChunk.class::isInstance);
        assertThat(changeLog.read(LogPosition.afterTransaction(Lsn.ZERO), large, Set.of(), 1000)).hasSize(201);
    }

    /** The feed's ranges and chunks, in the order told. */
    private List<Object> listen() {
        List<Object> events = new CopyOnWriteArrayList<>();
        feed.subscribe(new CaptureListener() {
            @Override
            public void onCaptured(CapturedRange range) {
                events.add(range);
            }

            @Override
            public void onChunk(LoggedChunk chunk) {
                events.add(chunk);
            }
        });
        return events;
    }

    /** A running writer that appends at most 100 changes at a time; its queue. */
    private PieceQueue startChunkingWriter() {
        PieceQueue queue = new PieceQueue(40_000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        writer = new CaptureWriter(queue, changeLog, feed, new CaptureMetrics(registry),
                CaptureSettings.builder().tables(List.of("orders")).maxBatchChanges(100).chunkChanges(100).build(),
                Lsn.ZERO, new CaptureHealthTracker(registry));
        new Thread(writer, "capture-writer-under-test").start();
        return queue;
    }

    /** Transaction {@code lsn} as the assembler hands it over: {@code chunks} pieces of 100, then one change more with its commit. */
    private static void offerLarge(PieceQueue queue, Lsn lsn, int chunks) throws InterruptedException {
        for (int chunk = 0; chunk < chunks; chunk++) {
            List<LoggedChange> rows = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                rows.add(row(lsn, chunk * 100 + i, 2));
            }
            queue.offer(new CapturePiece(rows, null, Instant.EPOCH, false, 1600, 0), 10, TimeUnit.SECONDS);
        }
        int last = chunks * 100;
        queue.offer(new CapturePiece(List.of(row(lsn, last, 2)), lsn, Instant.EPOCH, false, 16, last + 1), 10,
                TimeUnit.SECONDS);
    }

    private static LoggedChange row(Lsn lsn, int seq, long xid) {
        return new LoggedChange(lsn, seq, xid, Change.update("orders", lsn + "-" + seq, "{\"n\":" + seq + "}",
                Instant.EPOCH));
    }

    @Test
    @DisplayName("a steady stream of one-row transactions goes in many small appends: a batch stays open for more"
            + " pieces only a short time from its first, not for as long as pieces keep coming")
    void steadyStreamIsNotHeldInOneBatch() throws InterruptedException {
        PieceQueue queue = new PieceQueue(40_000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        writer = new CaptureWriter(queue, changeLog, feed, new CaptureMetrics(registry), CaptureSettings.builder().tables(List.of("orders")).build(),
                Lsn.ZERO, new CaptureHealthTracker(registry));
        Thread thread = new Thread(writer, "capture-writer-under-test");
        thread.start();

        // One transaction every 250 µs (4,000/s), for about half a second: faster than the log commits, so the
        // writer is behind and groups, and with gaps far shorter than its linger.
        Lsn last = Lsn.ZERO;
        long next = System.nanoTime();
        for (int i = 1; i <= TRANSACTIONS; i++) {
            last = Lsn.of(0x1_000_000L + i * 0x100L);
            LoggedChange change = new LoggedChange(last, 0, i,
                    Change.update("orders", Integer.toString(i), "{\"id\":" + i + "}", Instant.EPOCH));
            queue.offer(new CapturePiece(List.of(change), last, Instant.EPOCH, false, 16, 1), 10, TimeUnit.SECONDS);
            next += 250_000;
            LockSupport.parkNanos(next - System.nanoTime()); // paces the workload; nothing waits on it
        }
        Lsn end = last;
        await().atMost(Duration.ofSeconds(60)).until(() -> !published.isEmpty()
                && !published.get(published.size() - 1).to().isBefore(end));

        // On the old linger (counted from the last piece) the stream went in three appends: 1, 1,983 and 16.
        List<Integer> sizes = published.stream().map(range -> range.changes().size()).toList();
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(TRANSACTIONS);
        assertThat(sizes).as("transactions per append (each publishes its range)").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(size -> assertThat(size).isLessThan(TRANSACTIONS / 2));
    }
}
