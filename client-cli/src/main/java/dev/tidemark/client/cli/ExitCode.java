package dev.tidemark.client.cli;

/** The exit codes of {@code tidemark-client}. */
final class ExitCode {

    /** Caught up ({@code --once}), or stopped by the user. */
    static final int OK = 0;
    /** The client could not run: the server refused it, the store could not be opened. */
    static final int FAILED = 1;
    /** Bad options (picocli's usage error). */
    static final int USAGE = 2;
    /** The server cannot continue from the store's position: sync into a new store, or resync it. */
    static final int RESYNC_REQUIRED = 3;
    /** {@code --once} did not catch up within {@code --timeout}. */
    static final int TIMEOUT = 4;

    /** {@code --verify-source}: the store differed from the source; the differing entities were repaired. */
    static final int SOURCE_REPAIRED = 5;
    /** {@code --verify-source}: the verify against the source could not be completed; nothing was changed. */
    static final int SOURCE_VERIFY_FAILED = 6;

    private ExitCode() {}
}
