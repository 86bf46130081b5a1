package dev.tidemark.benchmarks.capture;

import dev.tidemark.benchmarks.postgres.PgStatements;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.capture.CaptureMetrics;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureStatus;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures capture throughput (changes/s made durable in {@code tidemark.change_history}, slot
 * confirmed) beside the raw rate of reading the same slot with PgJDBC's replication API and
 * discarding the messages, in the same run, and prints the ratio. For context it also times writing
 * the same rows into a copy of the change-log table with {@code COPY} and with a JDBC batch.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am verify -DskipTests -Pcapture-benchmark}
 * ({@code -Dcapture.args="--changes 1000000 --rows-per-transaction 10"} for other workloads).
 */
public final class CaptureBenchmark {

    private static final String SLOT = "bench_slot";
    private static final String PUBLICATION = "bench_publication";

    private CaptureBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse(args);
        Path directory = null;
        EmbeddedSource embedded = null;
        SourceSettings source;
        if (options.jdbcUrl() != null) {
            source = new SourceSettings(options.jdbcUrl(), options.user(), null);
        } else {
            directory = Files.createTempDirectory("tidemark-capture-benchmark");
            embedded = new EmbeddedPostgresStarter().start(PgStatements.settings(directory.resolve("pg")));
            source = embedded.settings();
        }
        try {
            run(options, source);
        } finally {
            if (embedded != null) {
                embedded.close();
                try (Stream<Path> files = Files.walk(directory)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    private static void run(BenchmarkOptions options, SourceSettings source) throws Exception {
        int changes = options.changes();
        String version;
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            try (ResultSet row = statement.executeQuery("SHOW server_version")) {
                row.next();
                version = row.getString(1);
            }
            statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + SLOT + "'");
            statement.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
            Workload.createTable(connection);
            statement.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + Workload.TABLE);
            statement.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
        ChangeLog changeLog = openChangeLog(source);
        try (changeLog) {
            System.out.printf(Locale.ROOT, "Capture benchmark: %,d inserts in transactions of %d rows, PostgreSQL %s%n",
                    changes, options.rowsPerTransaction(), version);
            long workloadStart = System.nanoTime();
            try (Connection connection = source.connect()) {
                Workload.run(connection, changes, options.rowsPerTransaction());
            }
            System.out.printf(Locale.ROOT, "workload committed in %.1f s%n", (System.nanoTime() - workloadStart) / 1e9);

            long raw = RawSlotReader.read(source, SLOT, PUBLICATION, changes);
            PgStatements.reset(source);
            CaptureTimes capture = capture(source, changeLog, changes);
            PgStatements.print(source, "capture", changes / options.rowsPerTransaction(), "transaction", 8, System.out);

            List<LoggedChange> captured = changeLog.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(),
                    Integer.MAX_VALUE);
            if (captured.size() != changes) {
                throw new IllegalStateException("captured " + captured.size() + " changes, expected " + changes);
            }
            long copy;
            long batch;
            try (Connection connection = source.connect()) {
                copy = ChangeLogWriteBaselines.copy(connection, captured);
                batch = ChangeLogWriteBaselines.batch(connection, captured);
            }
            System.out.println();
            System.out.println("| measurement                                          | changes   | seconds | changes/s |");
            System.out.println("|------------------------------------------------------|-----------|---------|-----------|");
            row("raw PgJDBC replication read of the slot, discarded", changes, raw);
            row("whole capture run, with its startup (" + String.format(Locale.ROOT, "%.2f s", capture.startup() / 1e9)
                    + ")", changes, capture.whole());
            row("capture into tidemark.change_history, slot confirmed", changes, capture.streaming());
            row("context: COPY of the captured rows into a copy table", changes, copy);
            row("context: JDBC batch insert of the same rows", changes, batch);
            System.out.println();
            System.out.printf(Locale.ROOT, "ratio capture / raw read: %.2f (target >= 0.8; with capture's startup %.2f)%n",
                    (double) raw / capture.streaming(), (double) raw / capture.whole());
            System.out.printf(Locale.ROOT, "ratio COPY / JDBC batch:  %.2f%n", (double) batch / copy);
        }
    }

    private static void row(String name, int changes, long nanos) {
        System.out.printf(Locale.ROOT, "| %-52s | %,9d | %7.2f | %,9.0f |%n", name, changes, nanos / 1e9,
                changes / (nanos / 1e9));
    }

    /**
     * How long capture took.
     *
     * @param whole from starting capture until all changes were durable and published
     * @param streaming the same from its replication stream's start: without its startup (the lease, the source's
     *     checks, a new history, the first use of its classes), which the raw read has no counterpart of
     */
    private record CaptureTimes(long whole, long streaming) {
        long startup() {
            return whole - streaming;
        }
    }

    private static CaptureTimes capture(SourceSettings source, ChangeLog changeLog, int changes) throws Exception {
        ChangeFeed feed = new ChangeFeed();
        AtomicLong seen = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong doneAt = new AtomicLong();
        feed.subscribe(range -> {
            if (seen.addAndGet(range.changes().size()) >= changes && doneAt.get() == 0) {
                doneAt.set(System.nanoTime());
                done.countDown();
            }
        });
        CaptureSettings settings = CaptureSettings.builder().slotName(SLOT).publicationName(PUBLICATION)
                .tables(List.of(Workload.TABLE)).build();
        long start = System.nanoTime();
        long streaming;
        try (CaptureService capture = new CaptureService(settings, source, changeLog, feed,
                new CaptureMetrics(new SimpleMeterRegistry()))) {
            capture.start();
            while (capture.status().state() == CaptureStatus.State.STARTING && done.getCount() > 0) {
                LockSupport.parkNanos(100_000); // a tenth of a millisecond: the start is seconds long, the stream's too
            }
            streaming = System.nanoTime();
            if (capture.status().state() != CaptureStatus.State.STREAMING && done.getCount() > 0) {
                throw new IllegalStateException("capture did not start streaming: " + capture.status());
            }
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("capture did not finish: " + capture.status());
            }
        }
        return new CaptureTimes(doneAt.get() - start, doneAt.get() - Math.min(streaming, doneAt.get()));
    }

    private static ChangeLog openChangeLog(SourceSettings source) {
        List<String> names = new ArrayList<>();
        for (ChangeLogProvider provider : ServiceLoader.load(ChangeLogProvider.class)) {
            if (provider.name().equals("postgres")) {
                return provider.open(source.asChangeLogConfig());
            }
            names.add(provider.name());
        }
        throw new IllegalStateException("no postgres change log provider; found " + names);
    }
}
