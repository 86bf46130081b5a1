package dev.tidemark.app.pg;

import java.nio.file.Path;

/** Another running process owns the data directory: nothing was started and nothing was stopped. */
public final class DataDirectoryInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    DataDirectoryInUseException(Path dataDirectory, String holder) {
        super("the data directory " + dataDirectory.toAbsolutePath().normalize() + " is in use by " + holder
                + ": stop that one first (Ctrl-C, or kill PID), or give this one another directory"
                + " (tidemark demo --dir DIR, or tidemark.embedded.data-dir)");
    }
}
