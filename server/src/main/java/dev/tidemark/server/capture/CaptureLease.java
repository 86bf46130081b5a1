package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to capture into one change log: a PostgreSQL session-level advisory lock in the change log's
 * database, held on a dedicated connection for as long as capture runs. Only the node holding it may
 * create or drop its slot, decide the change log's history or append to it; the other nodes wait as
 * standbys ({@link Waiter}) and one of them takes it when it is let go.
 *
 * <p>The lock goes away with its connection (node killed, connection cut, PostgreSQL restarted), so
 * the holder checks it every {@link LeaseSettings#checkInterval()} and is told once when it is lost:
 * capture must then stop at once, as another node may already hold the lease.
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
     * The outcome of one try: the lease, or who holds it.
     *
     * @param lease the lease taken, or {@code null}
     * @param holder who holds it when not taken ({@code pg_stat_activity}), else {@code null}
     */
    record Attempt(CaptureLease lease, String holder) {}

    /**
     * Tries to take the lease; waits (up to 5 s) only when the holder looks like this node's own previous run,
     * killed and its connection going away.
     *
     * @param node this node's name, the lease connection's {@code application_name}
     * @throws CaptureException ({@link CaptureError#CHANGE_LOG}) when the change log's database cannot be reached
     */
    static Attempt tryAcquire(LeaseSettings settings, String node) {
        requireNonNull(settings, "settings is null");
        int key = key(settings.changeLogSchema());
        Connection connection = connect(settings, node);
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
                if (holder.previousRunOf(node)) {
                    log.info("capture lease held by this node's previous run ({}); waiting up to {} for it to go away",
                            holder, PREDECESSOR_WAIT);
                    taken = awaitLock(connection, key, PREDECESSOR_WAIT);
                }
            }
            if (!taken) {
                Holder holder = holder(connection, key);
                closeQuietly(connection);
                return new Attempt(null, holder.toString());
            }
            log.info("capture lease taken on {} (schema {})", settings.database().redactedUrl(),
                    settings.changeLogSchema());
            return new Attempt(new CaptureLease(settings, connection, key), null);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CaptureException(CaptureError.CHANGE_LOG, "cannot take the capture lease in "
                    + settings.database().redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(LeaseSettings settings, String node) {
        try {
            return DriverManager.getConnection(settings.database().jdbcUrl(), properties(settings, node));
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.CHANGE_LOG, "cannot take the capture lease: the change log's database "
                    + settings.database().redactedUrl() + " cannot be reached: " + e.getMessage(), e);
        }
    }

    /**
     * A standby's wait for the lease, on one connection kept between waits (reopened after a failure). Not
     * thread-safe: one standby loop uses it.
     */
    static final class Waiter implements AutoCloseable {

        private final LeaseSettings settings;
        private final String node;
        private final int key;
        private Connection connection;

        Waiter(LeaseSettings settings, String node) {
            this.settings = requireNonNull(settings, "settings is null");
            this.node = requireNonNull(node, "node is null");
            this.key = key(settings.changeLogSchema());
        }

        /**
         * Waits up to {@code timeout} for the lease (PostgreSQL grants it the moment its holder lets it go).
         *
         * @return the lease, or empty when another node still holds it
         * @throws CaptureException ({@link CaptureError#CHANGE_LOG}) when the change log's database cannot be
         *     reached (the next wait connects again)
         */
        Optional<CaptureLease> await(Duration timeout) {
            if (connection == null) {
                connection = connect(settings, node);
            }
            try {
                if (!awaitLock(connection, key, timeout.toMillis() + "ms")) {
                    return Optional.empty();
                }
                CaptureLease lease = new CaptureLease(settings, connection, key);
                connection = null;
                log.info("capture lease taken on {} (schema {})", settings.database().redactedUrl(),
                        settings.changeLogSchema());
                return Optional.of(lease);
            } catch (SQLException e) {
                close();
                throw new CaptureException(CaptureError.CHANGE_LOG, "cannot wait for the capture lease in "
                        + settings.database().redactedUrl() + ": " + e.getMessage(), e);
            }
        }

        /** Who holds the lease now, or why that is unknown. */
        String holder() {
            if (connection == null) {
                return "unknown (the change log's database cannot be reached)";
            }
            try {
                return CaptureLease.holder(connection, key).toString();
            } catch (SQLException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                closeQuietly(connection);
                connection = null;
            }
        }
    }

    /** Who holds the lease, as {@code pg_stat_activity} tells. */
    private record Holder(String name, String description) {

        @Override
        public String toString() {
            return description;
        }

        boolean previousRunOf(String node) {
            return CaptureLease.previousRunOf(name, node);
        }
    }

    /**
     * Whether a lease holder named {@code name} is {@code node}'s previous run (same slot, same host, a process
     * other than this one that no longer runs): killed, its connection going away. A holder whose process still
     * runs on this host is another node started here (several nodes on one machine), not waited for.
     */
    static boolean previousRunOf(String name, String node) {
        int at = node.lastIndexOf(" pid ");
        if (name == null || at < 0) {
            return false;
        }
        String prefix = node.substring(0, at + " pid ".length());
        if (prefix.length() >= NAME_LENGTH) {
            return name.startsWith(prefix.substring(0, NAME_LENGTH));
        }
        if (!name.startsWith(prefix)) {
            return false;
        }
        String pid = name.substring(prefix.length());
        int digits = 0;
        while (digits < pid.length() && Character.isDigit(pid.charAt(digits))) {
            digits++;
        }
        if (digits == 0 || digits > 18) {
            return false;
        }
        long holderPid = Long.parseLong(pid.substring(0, digits));
        return holderPid != ProcessHandle.current().pid()
                && ProcessHandle.of(holderPid).map(process -> !process.isAlive()).orElse(true);
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
     * Waits, in PostgreSQL ({@code lock_timeout}), for the holder to let the lease go: for this node's own previous
     * run (after a kill -9 its connection lingers until PostgreSQL notices), or for a standby, the leader.
     */
    private static boolean awaitLock(Connection connection, int key, String wait) throws SQLException {
        try (PreparedStatement timeout = connection.prepareStatement("select set_config('lock_timeout', ?, false)")) {
            timeout.setString(1, wait);
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

    private static Properties properties(LeaseSettings settings, String node) {
        Properties properties = new Properties();
        if (settings.database().user() != null) {
            properties.setProperty("user", settings.database().user());
        }
        if (settings.database().password() != null) {
            properties.setProperty("password", settings.database().password());
        }
        properties.setProperty("ApplicationName", node.substring(0, Math.min(node.length(), NAME_LENGTH)));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        return properties;
    }

    /**
     * A node's name, which says who captures: slot, host and process, and {@code instance} for several nodes in one
     * process (tests); PostgreSQL keeps 63 bytes of it as the lease connection's {@code application_name}.
     */
    static String nodeName(String slotName, String instance) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return "tidemark capture slot " + slotName + " on " + host + " pid " + ProcessHandle.current().pid()
                + (instance.isEmpty() ? "" : "." + instance);
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
                + ". Capture stopped at once so that it cannot write beside another node; this node is a standby"
                + " now and takes the lease again when it is free (another node may have taken over).");
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
