package dev.tidemark.server.capture;

import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** A source database, its change log found through ServiceLoader, and capture runs against them. */
final class CaptureFixture implements AutoCloseable {

    final SourceSettings source;
    final ChangeLog log;
    final ChangeFeed feed = new ChangeFeed();
    final List<CapturedRange> ranges = Collections.synchronizedList(new ArrayList<>());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final CaptureMetrics metrics = new CaptureMetrics(registry);
    final CaptureHealthTracker health = new CaptureHealthTracker(registry);
    private CaptureService capture;

    CaptureFixture(SourceSettings source) {
        this.source = source;
        this.log = openChangeLog(source);
        feed.subscribe(ranges::add);
    }

    static ChangeLog openChangeLog(SourceSettings source) {
        ChangeLogProvider provider = ServiceLoader.load(ChangeLogProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("postgres")).findFirst().orElseThrow();
        return provider.open(source.asChangeLogConfig());
    }

    /** Settings for tests: quick heartbeats and restarts, the given tables, a slot named after the database. */
    CaptureSettings.Builder settings(String... tables) {
        String database = source.jdbcUrl().substring(source.jdbcUrl().lastIndexOf('/') + 1);
        return CaptureSettings.builder().slotName("s_" + database).publicationName("p_" + database)
                .tables(List.of(tables)).heartbeatInterval(Duration.ofSeconds(1))
                .restartBackoff(Duration.ofMillis(100)).maxRestartBackoff(Duration.ofSeconds(1));
    }

    CaptureService start(CaptureSettings settings) {
        stop();
        capture = new CaptureService(settings, source, log, feed, metrics, health);
        capture.start();
        return capture;
    }

    CaptureService capture() {
        return capture;
    }

    void stop() {
        if (capture != null) {
            capture.close();
            capture = null;
        }
    }

    void sql(String... statements) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Runs the statements in one transaction. */
    void transaction(String... statements) throws SQLException {
        try (Connection connection = source.connect()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
    }

    String queryString(String sql) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /**
     * Commits a marker transaction (a heartbeat, which capture writes at once) and waits until capture
     * made it durable: then every transaction committed before the call is in the change log.
     */
    Lsn sync() throws SQLException {
        Lsn marker;
        try (Connection connection = source.connect();
                PreparedStatement emit = connection.prepareStatement(
                        "SELECT pg_logical_emit_message(true, ?, 'sync')::text")) {
            emit.setString(1, TransactionAssembler.HEARTBEAT_PREFIX);
            try (ResultSet row = emit.executeQuery()) {
                row.next();
                marker = Lsn.parse(row.getString(1));
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> log.state().map(s -> s.capturePosition().isAfter(marker)).orElse(false));
        return log.state().orElseThrow().capturePosition();
    }

    /** The change log's table refresh markers, all of them. */
    List<TableRefresh> refreshes() {
        return log.refreshes(Lsn.ZERO, Lsn.MAX);
    }

    /** The source's current WAL insert position. */
    Lsn walPosition() throws SQLException {
        return Lsn.parse(queryString("SELECT pg_current_wal_lsn()::text"));
    }

    List<LoggedChange> changes() {
        return log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), Integer.MAX_VALUE);
    }

    List<LoggedChange> changes(String entityType) {
        return log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(entityType), Integer.MAX_VALUE);
    }

    @Override
    public void close() {
        stop();
        log.close();
    }
}
