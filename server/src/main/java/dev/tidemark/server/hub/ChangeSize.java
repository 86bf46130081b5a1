package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;

/** Estimates how many bytes a change takes in a {@code changes} message, for the batch byte bound. */
final class ChangeSize {

    /** Field names, type, timestamp and punctuation of one encoded change. */
    static final int OVERHEAD = 96;

    private ChangeSize() {}

    static long of(Change change) {
        return OVERHEAD + change.entityType().length()
                + (change.entityId() == null ? 0 : change.entityId().length())
                + (change.fromId() == null ? 0 : change.fromId().length())
                + (change.data() == null ? 0 : change.data().length());
    }
}
