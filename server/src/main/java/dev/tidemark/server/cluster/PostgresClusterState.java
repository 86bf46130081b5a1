package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.recovery.Admission;
import dev.tidemark.server.hub.ClusterState;
import dev.tidemark.server.hub.ClusterStateException;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub state every node serving one change log shares, kept in the change log's PostgreSQL database (see
 * {@link ClusterStateTables}): client claims, the verify rate limits and the resync pacer. Claims of other nodes
 * are heard on a dedicated connection that LISTENs on {@value ClusterStateTables#CHANNEL}; every
 * {@code checkInterval} (and at once after a reconnect) this node re-reads the claims of its own sessions, the
 * safety net for a notification missed while that connection was down.
 *
 * <p>Statements run on a small pool with short timeouts, so a database that cannot be reached fails a request
 * within seconds: a claim throws {@link ClusterStateException} (the hub closes that connection; the client
 * reconnects) and an admission throws it too (the hub refuses the request; the client retries later).
 */
public final class PostgresClusterState implements ClusterState {

    /** How often a node re-reads its sessions' claims when no notification came. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(3);

    private static final Logger log = LoggerFactory.getLogger(PostgresClusterState.class);

    private final SourceSettings database;
    private final NodeIdentity node;
    private final HubConfig config;
    private final Duration checkInterval;
    private final HikariDataSource pool;
    private final RandomGenerator random = RandomGenerator.getDefault();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Follows the other nodes' claims once started. */
    private ChannelListener claims;

    /**
     * @param database the change log's PostgreSQL database
     * @param node this node's name in {@code tidemark.client_session}
     * @param config the verify interval and the resync pacer's rate, burst and jitter
     * @param checkInterval how often this node's sessions' claims are re-read without a notification
     */
    public PostgresClusterState(SourceSettings database, NodeIdentity node, HubConfig config, Duration checkInterval) {
        this.database = requireNonNull(database, "database is null");
        this.node = requireNonNull(node, "node is null");
        this.config = requireNonNull(config, "config is null");
        this.checkInterval = requireNonNull(checkInterval, "checkInterval is null");
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive (got " + checkInterval + ")");
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(database.jdbcUrl());
        if (database.user() != null) {
            hikari.setUsername(database.user());
        }
        if (database.password() != null) {
            hikari.setPassword(database.password());
        }
        hikari.setPoolName("tidemark-cluster-state");
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(2_000);
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionInitSql("SET statement_timeout = 5000");
        hikari.addDataSourceProperty("ApplicationName", "tidemark-cluster " + node.name());
        hikari.addDataSourceProperty("connectTimeout", "2");
        // The hub makes these calls on threads of its own, but a client's request waits for each: a half-open
        // connection must fail them in seconds, not for TCP's own timeout (minutes).
        hikari.addDataSourceProperty("socketTimeout", "10");
        this.pool = new HikariDataSource(hikari);
    }

    @Override
    public synchronized void start(ClaimListener listener) {
        requireNonNull(listener, "listener is null");
        if (claims != null) {
            throw new IllegalStateException("the cluster state was already started");
        }
        claims = new ChannelListener(database, ClusterStateTables.CHANNEL, checkInterval,
                "the other nodes' client claims",
                "until then a client connected here and to another node keeps both connections",
                new ChannelListener.Handler() {
                    @Override
                    public void heard(List<String> payloads) {
                        payloads.forEach(payload -> PostgresClusterState.heard(payload, listener));
                    }

                    @Override
                    public void check() throws SQLException {
                        PostgresClusterState.this.check(listener);
                    }
                });
        claims.start("tidemark-session-claims");
    }

    @Override
    public OptionalLong claim(String clientId, String session) {
        try (Connection connection = pool.getConnection()) {
            return ClusterStateTables.claim(connection, clientId, node.name(), session);
        } catch (SQLException e) {
            throw unavailable("claim client '" + clientId + "'", e);
        }
    }

    @Override
    public Admission admitResync(String clientId) {
        double seconds;
        try (Connection connection = pool.getConnection()) {
            seconds = ClusterStateTables.admitResync(connection, clientId, config.resyncRatePerSecond(),
                    config.resyncBurst());
        } catch (SQLException e) {
            throw unavailable("admit the resync of client '" + clientId + "'", e);
        }
        if (seconds <= 0) {
            return new Admission(true, Duration.ZERO);
        }
        waiting.incrementAndGet();
        seconds *= 1 + config.resyncJitter() * random.nextDouble();
        return new Admission(false, Duration.ofNanos((long) Math.ceil(seconds * 1e9)));
    }

    @Override
    public Admission allow(String clientId, RequestKind kind) {
        if (config.verifyInterval().isZero()) {
            return new Admission(true, Duration.ZERO);
        }
        OptionalDouble wait;
        try (Connection connection = pool.getConnection()) {
            wait = ClusterStateTables.allow(connection, clientId, kind, config.verifyInterval());
        } catch (SQLException e) {
            throw unavailable("check the " + kind.wireName() + " rate limit of client '" + clientId + "'", e);
        }
        if (wait.isEmpty()) {
            return new Admission(true, Duration.ZERO);
        }
        return new Admission(false, Duration.ofNanos((long) Math.ceil(Math.max(0.001, wait.getAsDouble()) * 1e9)));
    }

    @Override
    public int resyncWaiting() {
        return waiting.get();
    }

    private static ClusterStateException unavailable(String what, SQLException e) {
        return new ClusterStateException("could not " + what + " in the change log's database (the state the nodes"
                + " share): " + e.getMessage(), e);
    }

    private static void heard(String payload, ClaimListener listener) {
        int space = payload == null ? -1 : payload.indexOf(' ');
        if (space <= 0) {
            log.debug("ignoring notification {} on {}", payload, ClusterStateTables.CHANNEL);
            return;
        }
        long claim;
        try {
            claim = Long.parseLong(payload.substring(0, space));
        } catch (NumberFormatException e) {
            log.debug("ignoring notification {} on {}", payload, ClusterStateTables.CHANNEL);
            return;
        }
        listener.claimed(payload.substring(space + 1), claim);
    }

    /** Re-reads the claims of this node's sessions: each one that lost its claim is told. */
    private void check(ClaimListener listener) throws SQLException {
        Map<String, Long> held = listener.held();
        if (!held.isEmpty()) {
            try (Connection connection = pool.getConnection()) {
                ClusterStateTables.claims(connection, held.keySet()).forEach((clientId, claim) -> {
                    Long mine = held.get(clientId);
                    if (mine != null && claim > mine) {
                        listener.claimed(clientId, claim);
                    }
                });
            }
        }
        try (Connection connection = pool.getConnection()) {
            waiting.set(ClusterStateTables.waiting(connection));
        }
    }

    @Override
    public void close() {
        ChannelListener running;
        synchronized (this) {
            running = claims;
        }
        if (running != null) {
            running.close();
        }
        pool.close();
    }
}
