package dev.tidemark.store.postgres;

/**
 * How hard a commit presses to disk: PostgreSQL's {@code synchronous_commit} for the store's
 * sessions. Neither setting can separate the committed LSN from the data — a transaction is in the
 * database entirely or not at all — they differ in what a crash of the PostgreSQL server may take
 * back.
 */
public enum Durability {
    /**
     * The default: commits wait for their WAL to be flushed, so an acknowledged batch survives a
     * server crash. Sessions run with {@code synchronous_commit} as the server sets it, raised to
     * {@code on} when the server has it {@code off}.
     */
    FULL,
    /**
     * {@code synchronous_commit = off}: a commit returns before its WAL is flushed. A server crash
     * may take back the transactions of the last moments (up to three times {@code wal_writer_delay},
     * 600 ms by default) — batches the client already acknowledged. The store then comes back
     * consistent at an earlier committed LSN and the client resumes from there while the server keeps
     * that history (otherwise it resyncs).
     */
    NORMAL
}
