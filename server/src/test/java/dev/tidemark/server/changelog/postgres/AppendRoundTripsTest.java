package dev.tidemark.server.changelog.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("An append of small transactions costs two statements and a commit, fenced or not")
class AppendRoundTripsTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2026-11-26T09:00:00Z");

    /** Statements sent on the change log's connections while counting: prepared, plain, and COPY (via unwrap). */
    private final List<String> statements = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean counting;

    private DataSource counted(SourceSettings database) {
        InvocationHandler source = (proxy, method, args) -> switch (method.getName()) {
            case "getConnection" -> connection(database.connect());
            case "getLoginTimeout" -> 0;
            case "getLogWriter" -> (PrintWriter) null;
            case "getParentLogger" -> Logger.getGlobal();
            case "isWrapperFor" -> false;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "counting data source";
            default -> null;
        };
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                source);
    }

    private Connection connection(Connection real) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (counting) {
                switch (method.getName()) {
                    case "prepareStatement", "prepareCall" -> statements.add(String.valueOf(args[0]));
                    case "createStatement" -> statements.add("(plain statement)");
                    case "unwrap" -> statements.add("(unwrap " + args[0] + ": COPY)");
                    default -> { }
                }
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    private static final String ODD_DATA = "{\"a\":\"q\\\"uote {braces}, back\\\\slash, tab\\t, \u00e9\u20ac\"}";

    private static List<LoggedChange> oneRowTransactions(int from, int count) {
        List<LoggedChange> changes = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            if (i == 3) {
                changes.add(new LoggedChange(Lsn.of(0x1000L + i * 0x10L), 0, 100 + i,
                        Change.update("item", "NULL", ODD_DATA, T)));
                continue;
            }
            changes.add(new LoggedChange(Lsn.of(0x1000L + i * 0x10L), 0, 100 + i,
                    Change.update(i % 2 == 0 ? "item" : "order", Integer.toString(i), "{\"id\":" + i + "}", T)));
        }
        return changes;
    }

    @Test
    @DisplayName("one or fifty one-row transactions: the state read with the epoch check, then one write")
    void twoStatementsPerAppend() throws SQLException {
        SourceSettings database = postgres.createDatabase();
        try (ChangeLog setup = ChangeLogs.open("postgres", database.asChangeLogConfig())) {
            setup.startHistory("h1", Lsn.of(0x100));
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(counted(database));
        config.setMaximumPoolSize(2);
        try (PostgresChangeLog log = new PostgresChangeLog(new HikariDataSource(config))) {
            log.leadership().orElseThrow().take("node a", "slot_x");

            List<LoggedChange> first = oneRowTransactions(0, 1);
            counting = true;
            log.append(first, Optional.of(first.get(0).lsn()));
            counting = false;
            assertThat(statements).as("statements of one append of one transaction").hasSize(2);

            statements.clear();
            List<LoggedChange> fifty = oneRowTransactions(1, 50);
            counting = true;
            log.append(fifty, Optional.of(fifty.get(49).lsn()));
            counting = false;
            assertThat(statements).as("statements of one append of fifty transactions").hasSize(2);

            List<LoggedChange> read = log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), Integer.MAX_VALUE);
            assertThat(read).hasSize(51);
            assertThat(read.get(50).change().entityId()).isEqualTo("50");
            assertThat(read.get(3).change().entityId()).as("array parameters keep text as it is").isEqualTo("NULL");
            assertThat(read.get(3).change().data()).isEqualTo(ODD_DATA);
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(fifty.get(49).lsn());
            assertThat(log.nextTransaction(Lsn.of(0x100), Lsn.MAX, Set.of("order"))).contains(Lsn.of(0x1010));
            assertThat(log.checksumThrough(fifty.get(49).lsn())).isPresent();

            statements.clear();
            Lsn big = Lsn.of(0x90000);
            List<LoggedChange> large = new ArrayList<>();
            for (int seq = 0; seq < ChangeAppender.INLINE_CHANGES + 500; seq++) {
                large.add(new LoggedChange(big, seq, 999, Change.update("item", "L" + seq, "{\"id\":\"L" + seq + "\"}", T)));
            }
            counting = true;
            log.append(large, Optional.of(big));
            counting = false;
            assertThat(statements).as("a large append sends its rows by COPY first (changes, its transaction, its"
                    + " per-type sums), then the state").hasSize(5);
            assertThat(log.read(new LogPosition(fifty.get(49).lsn(), 0), Lsn.MAX, Set.of(), Integer.MAX_VALUE))
                    .hasSize(ChangeAppender.INLINE_CHANGES + 500);

            // Few changes, much data: one text[] value would grow past what PostgreSQL takes (1 GB), so the
            // rows go by COPY as well.
            statements.clear();
            Lsn heavy = Lsn.of(0xA0000);
            int each = (int) (ChangeAppender.INLINE_DATA_CHARS / 2);
            String bulky = "{\"doc\":\"" + "x".repeat(each) + "\"}";
            List<LoggedChange> documents = List.of(
                    new LoggedChange(heavy, 0, 1000, Change.update("item", "D0", bulky, T)),
                    new LoggedChange(heavy, 1, 1000, Change.update("item", "D1", bulky, T)),
                    new LoggedChange(heavy, 2, 1000, Change.update("item", "D2", bulky, T)));
            counting = true;
            log.append(documents, Optional.of(heavy));
            counting = false;
            assertThat(statements).as("three changes of %s characters each go by COPY", bulky.length()).hasSize(5);
            List<LoggedChange> readBack = log.read(new LogPosition(big, Integer.MAX_VALUE), Lsn.MAX, Set.of(), 10);
            assertThat(readBack).hasSize(3);
            assertThat(readBack.get(2).change().data()).isEqualTo(bulky);
        }
    }
}
