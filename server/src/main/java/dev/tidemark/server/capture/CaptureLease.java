package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to capture into one change log: a PostgreSQL session-level advisory lock in the change log's
 * database, held on a dedicated connection for as long as capture runs. Only the server holding it may
 * create or drop its slot, decide the change log's history or append to it; a second server pointed at
 * the same change log cannot take it and refuses to capture, naming the holder.
 *
 * <p>The lock goes away with its connection (server killed, connection cut, PostgreSQL restarted), so
 * the holder checks it every {@link LeaseSettings#checkInterval()} and is told once when it is lost:
 * capture must then stop, as another server may already hold the lease.
 */
final class CaptureLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureLease.class);

    /** The advisory lock's first key: "TDMK", so Tidemark's locks do not meet an application's. */
    static final int NAMESPACE = 0x54444d4b;
    private static final int SOCKET_TIMEOUT_SECONDS = 10;
    /** How long a restarted server waits for its own previous run's lease connection to go away. */
    private static final String PREDECESSOR_WAIT = "5s";
    /** PostgreSQL keeps this many bytes of an {@code application_name}. */
    private static final int NAME_LENGTH = 63;
    private static final String HELD = "select exists (select 1 from pg_locks where pid = pg_backend_pid()"
            + " and locktype = 'advisory' and classid = ?::oid and objid = ?::oid and objsubid = 2 and granted)";
    private static final String HOLDER = "select a.pid, a.application_name, host(a.client_addr), a.client_port,"
            + " a.backend_start from pg_locks l join pg_stat_activity a on a.pid = l.pid"
            + " where l.locktype = 'advisory' and l.granted and l.classid = ?::oid and l.objid = ?::oid"
            + " and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())";

    private final LeaseSettings settings;
    private final Connection connection;
    private final int key;
    private final Object lock = new Object();
    private ScheduledExecutorService watcher;
    private boolean closed;

    private CaptureLease(LeaseSettings settings, Connection connection, int key) {
        this.settings = settings;
        this.connection = connection;
        this.key = key;
    }

    /** The lock's second key, derived from the change log's schema. */
    static int key(String changeLogSchema) {
        return changeLogSchema.hashCode() & 0x7fffffff;
    }

    /**
     * Takes the lease, or fails without waiting.
     *
     * @param slotName this server's slot, shown in the lease connection's {@code application_name}
     * @throws CaptureException ({@link CaptureError#LEASE}) when another server holds it, naming that
     *     server; ({@link CaptureError#CHANGE_LOG}) when the change log's database cannot be reached
     */
    static CaptureLease acquire(LeaseSettings settings, String slotName) {
        requireNonNull(settings, "settings is null");
        int key = key(settings.changeLogSchema());
        Connection connection;
        try {
            connection = DriverManager.getConnection(settings.database().jdbcUrl(), properties(settings, slotName));
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.CHANGE_LOG, "cannot take the capture lease: the change log's database "
                    + settings.database().redactedUrl() + " cannot be reached: " + e.getMessage(), e);
        }
        try {
            boolean taken;
            try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
                statement.setInt(1, NAMESPACE);
                statement.setInt(2, key);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    taken = result.getBoolean(1);
                }
            }
            if (!taken) {
                Holder holder = holder(connection, key);
                if (holder.sameServer(slotName)) {
                    taken = awaitPredecessor(connection, key);
                }
            }
            if (!taken) {
                Holder holder = holder(connection, key);
                throw new CaptureException(CaptureError.LEASE, "another server already captures into this change log"
                        + " (schema " + settings.changeLogSchema() + " in " + settings.database().redactedUrl()
                        + "): its capture lease is held by " + holder + ". This server does not capture: no slot was"
                        + " created and the change log's history is unchanged. Run one server per change log: stop"
                        + " the other server first, or give this one its own change log.");
            }
            log.info("capture lease taken on {} (schema {})", settings.database().redactedUrl(),
                    settings.changeLogSchema());
            return new CaptureLease(settings, connection, key);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CaptureException(CaptureError.CHANGE_LOG, "cannot take the capture lease in "
                    + settings.database().redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Who holds the lease, as {@code pg_stat_activity} tells. */
    private record Holder(String name, String description) {

        @Override
        public String toString() {
            return description;
        }

        /** Whether the holder is this server's previous run (same slot, same host): killed, its connection going away. */
        boolean sameServer(String slotName) {
            String mine = applicationName(slotName);
            String prefix = mine.substring(0, mine.lastIndexOf(" pid ") + " pid ".length());
            return name != null
                    && name.startsWith(prefix.substring(0, Math.min(prefix.length(), NAME_LENGTH)));
        }
    }

    private static Holder holder(Connection connection, int key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(HOLDER)) {
            statement.setInt(1, NAMESPACE);
            statement.setInt(2, key);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    return new Holder(null, "a server that has just let it go (start this one again if the other is gone)");
                }
                String address = result.getString(3);
                return new Holder(result.getString(2), "application_name '" + result.getString(2) + "', client "
                        + (address == null ? "on the local socket" : address + ":" + result.getInt(4))
                        + ", backend pid " + result.getInt(1) + ", connected since " + result.getObject(5)
                        + " (see pg_stat_activity)");
            }
        }
    }

    /**
     * Waits, in PostgreSQL ({@code lock_timeout}), for the previous run of this server to let the lease go:
     * after a kill -9 its connection lingers until PostgreSQL notices.
     */
    private static boolean awaitPredecessor(Connection connection, int key) throws SQLException {
        log.info("capture lease held by this server's previous run; waiting up to {} for it to go away",
                PREDECESSOR_WAIT);
        try (PreparedStatement timeout = connection.prepareStatement("select set_config('lock_timeout', ?, false)")) {
            timeout.setString(1, PREDECESSOR_WAIT);
            timeout.execute();
        }
        try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_lock(?, ?)")) {
            statement.setInt(1, NAMESPACE);
            statement.setInt(2, key);
            statement.execute();
            return true;
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        } finally {
            try (PreparedStatement reset = connection.prepareStatement("select set_config('lock_timeout', '0', false)")) {
                reset.execute();
            }
        }
    }

    private static Properties properties(LeaseSettings settings, String slotName) {
        Properties properties = new Properties();
        if (settings.database().user() != null) {
            properties.setProperty("user", settings.database().user());
        }
        if (settings.database().password() != null) {
            properties.setProperty("password", settings.database().password());
        }
        properties.setProperty("ApplicationName", applicationName(slotName));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        return properties;
    }

    /** Says who captures: slot, host and process; PostgreSQL keeps 63 bytes of it. */
    static String applicationName(String slotName) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return "tidemark capture slot " + slotName + " on " + host + " pid " + ProcessHandle.current().pid();
    }

    /**
     * Checks now that the lease is still held.
     *
     * @throws CaptureException ({@link CaptureError#LEASE}) when it is not
     */
    void verify() {
        synchronized (lock) {
            if (closed) {
                throw lost("the lease was released");
            }
            try (PreparedStatement statement = connection.prepareStatement(HELD)) {
                statement.setInt(1, NAMESPACE);
                statement.setInt(2, key);
                try (ResultSet result = statement.executeQuery()) {
                    if (!result.next() || !result.getBoolean(1)) {
                        throw lost("the lock is no longer held by the lease connection");
                    }
                }
            } catch (SQLException e) {
                throw lost("the lease connection failed: " + e.getMessage());
            }
        }
    }

    private CaptureException lost(String why) {
        return new CaptureException(CaptureError.LEASE, "capture lost its lease on the change log ("
                + settings.database().redactedUrl() + ", schema " + settings.changeLogSchema() + "): " + why
                + ". Capture stopped so that it cannot write beside another server; restart this server to capture"
                + " again (it refuses if another server took over).");
    }

    /**
     * Checks the lease every {@link LeaseSettings#checkInterval()} in the background and tells
     * {@code onLost} once, on the watcher's thread, when it is lost; checks stop then.
     */
    void watch(Consumer<CaptureException> onLost) {
        requireNonNull(onLost, "onLost is null");
        synchronized (lock) {
            if (watcher != null || closed) {
                throw new IllegalStateException("the lease is already watched or closed");
            }
            watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tidemark-capture-lease");
                thread.setDaemon(true);
                return thread;
            });
            long interval = settings.checkInterval().toMillis();
            ScheduledExecutorService scheduler = watcher;
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    verify();
                } catch (CaptureException e) {
                    scheduler.shutdown();
                    synchronized (lock) {
                        if (closed) {
                            return;
                        }
                    }
                    log.error("{}", e.getMessage());
                    onLost.accept(e);
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching and lets the lease go. */
    @Override
    public void close() {
        ScheduledExecutorService scheduler;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            scheduler = watcher;
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        synchronized (lock) {
            try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock(?, ?)")) {
                statement.setInt(1, NAMESPACE);
                statement.setInt(2, key);
                statement.execute();
            } catch (SQLException e) {
                log.debug("releasing the capture lease failed (closing its connection releases it)", e);
            }
            closeQuietly(connection);
        }
        log.info("capture lease released");
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the capture lease connection failed", e);
        }
    }
}
