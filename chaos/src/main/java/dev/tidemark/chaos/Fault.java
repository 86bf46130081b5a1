package dev.tidemark.chaos;

/** The faults the scheduler injects, one at a time, each healed before the run ends. */
enum Fault {
    /** {@code kill -9} of one client process; it is restarted after a pause. */
    CLIENT_KILL,
    /** {@code kill -9} of the server; restarted after a pause. */
    SERVER_KILL,
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
    SERVER_PAUSE
}
