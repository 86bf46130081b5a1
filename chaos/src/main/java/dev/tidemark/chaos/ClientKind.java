package dev.tidemark.chaos;

/** The kinds of client a run starts, in turn: client 1 is the first kind, client 2 the second, and so on. */
enum ClientKind {
    /** The packaged CLI ({@code tidemark-client --file F}) into SQLite. */
    CLI_SQLITE(false, false),
    /** An application embedding the library ({@link LibraryClient}, {@code TidemarkClient}) into SQLite. */
    LIBRARY_SQLITE(true, false),
    /** The packaged CLI into the PostgreSQL store (a schema on the suite's cluster). */
    CLI_POSTGRES(false, true);

    private final boolean library;
    private final boolean postgres;

    ClientKind(boolean library, boolean postgres) {
        this.library = library;
        this.postgres = postgres;
    }

    boolean library() {
        return library;
    }

    boolean postgres() {
        return postgres;
    }

    /** The kind of client number {@code number} (from 1). */
    static ClientKind of(int number) {
        return values()[(number - 1) % values().length];
    }
}
