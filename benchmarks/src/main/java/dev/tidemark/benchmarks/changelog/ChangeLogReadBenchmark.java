package dev.tidemark.benchmarks.changelog;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Measures the postgres change log's read side as the hub uses it: catch-up pages of changes after a position
 * (each followed by a read of the history state, as the outbox does), the same filtered to one entity type, and
 * the search for the next wanted transaction; and, for the bookkeeping around each append, appends of one small
 * transaction each. The catch-up read is also timed with the change log's original hand-written JDBC query on
 * a plain connection, in the same run, and the ratio printed, so a change to how the change log builds its SQL
 * shows as a ratio and not as a machine-dependent number.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am verify -DskipTests -Pchangelog-benchmark}
 * ({@code -Dchangelog.args="--transactions 5000 --changes-per-transaction 20 --rounds 5"}).
 */
public final class ChangeLogReadBenchmark {

    private static final int PAGE = 1001;
    private static final String ORDERS = "public.orders";
    private static final String ITEMS = "public.items";
    private static final long BASE = 0x1_0000_0000L;

    /** The catch-up query as the change log wrote it by hand before jOOQ (the baseline). */
    private static final String BASELINE_SQL = "SELECT c.lsn::text, c.seq, c.xid, c.op, c.entity_type, c.entity_id,"
            + " c.data, t.committed_at, c.from_id"
            + " FROM tidemark.change_history c JOIN tidemark.change_transaction t ON t.lsn = c.lsn"
            + " WHERE (c.lsn, c.seq) > (?::pg_lsn, ?) AND c.lsn <= LEAST(?::pg_lsn,"
            + " (SELECT capture_position FROM tidemark.history_state WHERE id = 1))"
            + " ORDER BY c.lsn, c.seq LIMIT ?";

    private ChangeLogReadBenchmark() {}

    public static void main(String[] args) throws Exception {
        measure(option(args, "--transactions", 5000), option(args, "--changes-per-transaction", 20),
                option(args, "--rounds", 5), System.out);
    }

    /**
     * The figures of one run, medians over the rounds.
     *
     * @param changes changes read per catch-up
     * @param transactions transactions appended, one per call
     * @param appendNanos time of all appends
     * @param readNanos one catch-up through the change log (pages plus a state read per page)
     * @param baselineNanos the same catch-up with the hand-written JDBC query on a plain connection
     */
    public record Result(int changes, int transactions, long appendNanos, long readNanos, long baselineNanos) {

        /** Changes per second of the change log's catch-up read. */
        public double readRate() {
            return changes / (readNanos / 1e9);
        }

        /** Changes per second of the hand-written baseline query. */
        public double baselineRate() {
            return changes / (baselineNanos / 1e9);
        }

        /** Appended transactions per second, one per call. */
        public double appendRate() {
            return transactions / (appendNanos / 1e9);
        }
    }

    /** Runs the benchmark on an embedded PostgreSQL, prints its table to {@code out} and returns its figures. */
    public static Result measure(int transactions, int perTransaction, int rounds, PrintStream out) throws Exception {
        Path directory = Files.createTempDirectory("tidemark-changelog-benchmark");
        try (EmbeddedSource embedded = new EmbeddedPostgresStarter()
                .start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            return run(embedded.settings(), transactions, perTransaction, rounds, out);
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static Result run(SourceSettings source, int transactions, int perTransaction, int rounds, PrintStream out)
            throws Exception {
        int total = transactions * perTransaction;
        try (ChangeLog changeLog = openChangeLog(source); Connection connection = source.connect()) {
            changeLog.startHistory("bench", Lsn.of(BASE));
            out.printf(Locale.ROOT, "Change log benchmark: %,d transactions of %d changes (%,d changes),"
                    + " pages of %d, median of %d rounds%n", transactions, perTransaction, total, PAGE, rounds);
            long append = append(changeLog, transactions, perTransaction);
            for (int warmup = 0; warmup < 2; warmup++) {
                catchUp(changeLog, Set.of());
                baseline(connection);
            }
            long[] read = new long[rounds];
            long[] hand = new long[rounds];
            long[] filtered = new long[rounds];
            long[] next = new long[rounds];
            int itemChanges = 0;
            int found = 0;
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                int rows = catchUp(changeLog, Set.of());
                read[round] = System.nanoTime() - start;
                start = System.nanoTime();
                int baselineRows = baseline(connection);
                hand[round] = System.nanoTime() - start;
                if (rows != total || baselineRows != total) {
                    throw new IllegalStateException("read " + rows + " and " + baselineRows + " changes, expected "
                            + total);
                }
                start = System.nanoTime();
                itemChanges = catchUp(changeLog, Set.of(ITEMS));
                filtered[round] = System.nanoTime() - start;
                start = System.nanoTime();
                found = nextTransactions(changeLog);
                next[round] = System.nanoTime() - start;
            }
            out.println();
            out.println("| measurement                                              | items     | seconds | items/s   |");
            out.println("|----------------------------------------------------------|-----------|---------|-----------|");
            row(out, "append, one transaction per call (transactions)", transactions, append);
            row(out, "catch-up read + state per page (changes)", total, median(read));
            row(out, "baseline: hand-written JDBC catch-up query (changes)", total, median(hand));
            row(out, "catch-up read filtered to 1 of 2 types (changes)", itemChanges, median(filtered));
            row(out, "next wanted transaction, filtered (calls)", found, median(next));
            out.println();
            out.printf(Locale.ROOT, "ratio catch-up read / hand-written baseline: %.2f (1.00 = as fast;"
                    + " includes the state read per page)%n", (double) median(hand) / median(read));
            return new Result(total, transactions, append, median(read), median(hand));
        }
    }

    private static long append(ChangeLog changeLog, int transactions, int perTransaction) {
        String data = "{\"id\":%d,\"name\":\"customer %d\",\"amount\":\"12345.67\",\"note\":\"a short note\"}";
        Instant now = Instant.now();
        long start = System.nanoTime();
        for (int t = 0; t < transactions; t++) {
            Lsn lsn = Lsn.of(BASE + (t + 1) * 0x100L);
            List<LoggedChange> changes = new ArrayList<>(perTransaction);
            for (int seq = 0; seq < perTransaction; seq++) {
                int id = t * perTransaction + seq;
                String type = seq % 4 == 3 ? ITEMS : ORDERS;
                changes.add(new LoggedChange(lsn, seq, 1000 + t, new Change(ChangeType.UPDATE, type,
                        Integer.toString(id), String.format(Locale.ROOT, data, id, id), now)));
            }
            changeLog.append(changes, Optional.of(lsn));
        }
        return System.nanoTime() - start;
    }

    private static int catchUp(ChangeLog changeLog, Set<String> types) {
        LogPosition after = new LogPosition(Lsn.ZERO, 0);
        int rows = 0;
        while (true) {
            List<LoggedChange> page = changeLog.read(after, Lsn.MAX, types, PAGE);
            changeLog.state();
            rows += page.size();
            if (page.size() < PAGE) {
                return rows;
            }
            after = page.get(page.size() - 1).position();
        }
    }

    private static int baseline(Connection connection) throws SQLException {
        LogPosition after = new LogPosition(Lsn.ZERO, 0);
        int rows = 0;
        try (PreparedStatement select = connection.prepareStatement(BASELINE_SQL);
                PreparedStatement state = connection.prepareStatement("SELECT history_id, capture_position::text,"
                        + " retained_from::text FROM tidemark.history_state WHERE id = 1")) {
            while (true) {
                select.setString(1, after.lsn().toString());
                select.setInt(2, after.seq());
                select.setString(3, Lsn.MAX.toString());
                select.setInt(4, PAGE);
                List<LoggedChange> page = new ArrayList<>(PAGE);
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        Change change = new Change(ChangeType.fromWireName(result.getString(4)), result.getString(5),
                                result.getString(6), result.getString(7),
                                result.getObject(8, OffsetDateTime.class).toInstant(), result.getString(9));
                        page.add(new LoggedChange(Lsn.parse(result.getString(1)), result.getInt(2), result.getLong(3),
                                change));
                    }
                }
                try (ResultSet result = state.executeQuery()) {
                    result.next();
                    Lsn.parse(result.getString(2));
                }
                rows += page.size();
                if (page.size() < PAGE) {
                    return rows;
                }
                after = page.get(page.size() - 1).position();
            }
        }
    }

    private static int nextTransactions(ChangeLog changeLog) {
        Lsn after = Lsn.ZERO;
        int found = 0;
        for (int i = 0; i < 2000; i++) {
            Optional<Lsn> next = changeLog.nextTransaction(after, Lsn.MAX, Set.of(ITEMS));
            if (next.isEmpty()) {
                break;
            }
            found++;
            after = next.get();
        }
        return found;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void row(PrintStream out, String name, int items, long nanos) {
        out.printf(Locale.ROOT, "| %-56s | %,9d | %7.3f | %,9.0f |%n", name, items, nanos / 1e9,
                items / (nanos / 1e9));
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static ChangeLog openChangeLog(SourceSettings source) {
        for (ChangeLogProvider provider : ServiceLoader.load(ChangeLogProvider.class)) {
            if (provider.name().equals("postgres")) {
                return provider.open(source.asChangeLogConfig());
            }
        }
        throw new IllegalStateException("no postgres change log provider on the class path");
    }
}
