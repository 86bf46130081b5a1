package dev.tidemark.store.sqlite;

/**
 * How hard a commit presses to disk: SQLite's {@code synchronous} setting, in WAL mode.
 *
 * <p>Neither setting can corrupt the database or separate the committed LSN from the data: a
 * transaction is in the file entirely or not at all, under either. They differ in what a power loss
 * or operating-system crash (not a crash of the JVM or a {@code kill -9}, which both survive) may
 * take back.
 */
public enum Durability {
    /**
     * {@code synchronous=FULL} (the default): the write-ahead log is synced at every commit, so a
     * batch acknowledged to the server survives a power loss.
     */
    FULL,
    /**
     * {@code synchronous=NORMAL}: the log is synced only at checkpoints. A power loss may take back
     * the last transactions before it — batches the client already acknowledged. The store then
     * reopens consistent at an earlier committed LSN, and since the server keeps the history the
     * client resumes from there; choose it only if you accept replaying those batches, and know
     * that a server which trimmed its history meanwhile will make the client resync.
     */
    NORMAL
}
