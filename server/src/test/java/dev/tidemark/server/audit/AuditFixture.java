package dev.tidemark.server.audit;

import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.capture.CaptureMetrics;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.SourceSnapshots;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** A source database with capture running into its change log, and the snapshots of its published tables. */
final class AuditFixture implements AutoCloseable {

    /** The prefix of capture's heartbeat messages (TransactionAssembler.HEARTBEAT_PREFIX). */
    private static final String HEARTBEAT_PREFIX = "tidemark.heartbeat";

    final SourceSettings source;
    final ChangeLog log;
    private final CaptureSettings settings;
    private CaptureService capture;

    AuditFixture(SourceSettings source, String... tables) {
        this.source = source;
        this.log = ServiceLoader.load(ChangeLogProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("postgres")).findFirst().orElseThrow()
                .open(source.asChangeLogConfig());
        String database = source.jdbcUrl().substring(source.jdbcUrl().lastIndexOf('/') + 1);
        // Heartbeats every second, as capture tests run: positions move on their own, so a client is always
        // streamed up to the snapshot's position before it compares (as the protocol does).
        this.settings = CaptureSettings.builder().slotName("s_" + database).publicationName("p_" + database)
                .tables(List.of(tables)).heartbeatInterval(Duration.ofSeconds(1))
                .restartBackoff(Duration.ofMillis(100)).maxRestartBackoff(Duration.ofSeconds(1)).build();
    }

    void startCapture() {
        capture = new CaptureService(settings, source, log, new ChangeFeed(), new CaptureMetrics(new SimpleMeterRegistry()));
        capture.start();
    }

    SourceSnapshots snapshots() {
        return new SourceSnapshots(source, settings.publicationName(), log);
    }

    void sql(String... statements) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    long count(String table) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM " + table)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Commits a heartbeat and waits until capture made it durable: everything committed before is in the log. */
    Lsn sync() throws SQLException {
        Lsn marker;
        try (Connection connection = source.connect();
                PreparedStatement emit = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, 'sync')::text")) {
            emit.setString(1, HEARTBEAT_PREFIX);
            try (ResultSet row = emit.executeQuery()) {
                row.next();
                marker = Lsn.parse(row.getString(1));
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> log.state().map(s -> s.capturePosition().isAfter(marker)).orElse(false));
        return log.state().orElseThrow().capturePosition();
    }

    /** The log's changes of {@code entityTypes} in ({@code after}, {@code upTo}]. */
    List<Change> tail(Lsn after, Lsn upTo, Set<String> entityTypes) {
        return log.read(LogPosition.afterTransaction(after), upTo, entityTypes, Integer.MAX_VALUE).stream()
                .map(LoggedChange::change).toList();
    }

    @Override
    public void close() {
        if (capture != null) {
            capture.close();
        }
        log.close();
    }
}
