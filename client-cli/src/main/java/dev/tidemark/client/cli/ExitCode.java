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

    private ExitCode() {}
}
