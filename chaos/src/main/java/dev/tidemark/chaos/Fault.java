package dev.tidemark.chaos;

/**
 * The faults the scheduler injects, one at a time, each healed before the run ends. Each kind has a weight: a slot
 * fault makes every client resync (a full snapshot), so it is drawn a tenth as often as a kill or a proxy fault,
 * and a full disk or a skewed client clock half as often.
 */
enum Fault {
    /** {@code kill -9} of one client process; it is restarted after a pause. */
    CLIENT_KILL,
    /** {@code kill -9} of one server node (any: leader or standby); restarted after a pause. */
    SERVER_KILL,
    /**
     * {@code kill -9} of the node that leads capture (the one {@code tidemark.capture_leader} names); restarted
     * after a pause. With several nodes a standby takes the capture lease and resumes from the log's capture
     * position; its clients move to another node through their proxy.
     */
    LEADER_KILL,
    /** {@code pg_ctl stop -m immediate}: a PostgreSQL crash; restarted after a pause. */
    POSTGRES_IMMEDIATE_STOP,
    /** Every connection through one client's proxy reset (RST). */
    PROXY_RESET,
    /** One client's proxy passes nothing for a while, closing nothing. */
    PROXY_BLACK_HOLE,
    /** One client's proxy delays every chunk for a while. */
    PROXY_DELAY,
    /** The next chunk from the server to one client is cut in half, then the connection reset. */
    PROXY_CUT_MID_FRAME,
    /** {@code SIGSTOP} of one client for a while, then {@code SIGCONT}. */
    CLIENT_PAUSE,
    /** {@code SIGSTOP} of the server for a while, then {@code SIGCONT}. */
    SERVER_PAUSE,
    /**
     * A full disk for one SQLite client's store: a file-size limit ({@code RLIMIT_FSIZE}, set with
     * {@code prlimit}) of 4 KiB (one SQLite page) on the running client, so every write of its store past that offset fails
     * ({@code EFBIG}, SQLite's {@code SQLITE_FULL} or I/O error); lifted after a while.
     */
    CLIENT_DISK_FULL,
    /**
     * One client restarted ({@code kill -9}) with its wall clock 1–72 hours ahead or behind (libfaketime; the
     * monotonic clock stays true), until its next restart: nothing in sync may depend on the client's time of day.
     * Skipped (and noted) when libfaketime is not installed.
     */
    CLIENT_CLOCK_SKEW,
    /**
     * One server node restarted ({@code kill -9}) with its wall clock 1–72 hours ahead or behind, until its next
     * restart: tokens (30 days) stay valid, the shared state (leases, node registry, verify limits, client
     * sessions) uses PostgreSQL's clock, so nothing in sync may change. Skipped (and noted) when libfaketime is not
     * installed.
     */
    SERVER_CLOCK_SKEW,
    /**
     * The server killed, its replication slot dropped, the server restarted: capture must start a new history
     * (the changes made while there was no slot were not captured) and every client resync onto it.
     */
    SLOT_DROPPED,
    /**
     * The server paused ({@code SIGSTOP}) while the WAL grows past {@code max_slot_wal_keep_size} and a
     * checkpoint runs: PostgreSQL invalidates the slot ({@code wal_status = lost}); on resume capture must start a
     * new history on a new slot and every client resync onto it.
     */
    SLOT_INVALIDATED;

    /**
     * Whether {@code all} leaves this kind out. A server JVM under libfaketime started in 13 minutes on a machine
     * at load average 70 (the client-sized JVMs start normally), so the skewed server clock runs only when named,
     * until it is measured on a quiet machine (docs/testing.md).
     */
    boolean byNameOnly() {
        return this == SERVER_CLOCK_SKEW;
    }

    int weight() {
        return switch (this) {
            case SLOT_DROPPED, SLOT_INVALIDATED -> 1;
            case CLIENT_DISK_FULL, CLIENT_CLOCK_SKEW, SERVER_CLOCK_SKEW -> 5;
            default -> 10;
        };
    }

    /** One of {@code kinds}, drawn by weight. */
    static Fault pick(java.util.List<Fault> kinds, java.util.Random random) {
        int total = kinds.stream().mapToInt(Fault::weight).sum();
        int draw = random.nextInt(total);
        for (Fault kind : kinds) {
            draw -= kind.weight();
            if (draw < 0) {
                return kind;
            }
        }
        throw new IllegalStateException("unreachable");
    }
}
