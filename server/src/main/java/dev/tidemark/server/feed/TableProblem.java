package dev.tidemark.server.feed;

import static java.util.Objects.requireNonNull;

/**
 * A table that should be captured but is not captured correctly, and what to do about it.
 *
 * @param table the table, {@code schema.table}
 * @param entityType the entity type its changes carry (the table name in schema public, else
 *     {@code schema.table})
 * @param reason why it is not captured, e.g. "has no primary key and REPLICA IDENTITY DEFAULT"
 * @param fix what to run to fix it, e.g. {@code ALTER TABLE public.t ADD PRIMARY KEY (...)}
 */
public record TableProblem(String table, String entityType, String reason, String fix) {

    public TableProblem {
        requireNonNull(table, "table is null");
        requireNonNull(entityType, "entityType is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(fix, "fix is null");
    }

    /** "table public.t is not captured: REASON; fix: FIX". */
    public String describe() {
        return "table " + table + " is not captured: " + reason + "; fix: " + fix;
    }
}
