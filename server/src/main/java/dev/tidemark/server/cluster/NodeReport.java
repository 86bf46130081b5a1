package dev.tidemark.server.cluster;

import java.util.List;

/**
 * What a node says of itself on each heartbeat.
 *
 * @param captureLeader whether it leads capture now
 * @param clientIds the clients connected to it now
 * @param liveLagBytes WAL bytes its hub's live feed is behind the change log's capture position
 */
public record NodeReport(boolean captureLeader, List<String> clientIds, long liveLagBytes) {

    public NodeReport {
        clientIds = List.copyOf(clientIds);
        if (liveLagBytes < 0) {
            throw new IllegalArgumentException("liveLagBytes must not be negative (got " + liveLagBytes + ")");
        }
    }
}
