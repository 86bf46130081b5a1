package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * Where a capture session streams from.
 *
 * @param historyId the history it captures into
 * @param position the change log's capture position: streaming starts there
 * @param newHistory whether this session started the history
 */
record StartPoint(String historyId, Lsn position, boolean newHistory) {

    StartPoint {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(position, "position is null");
    }
}
