package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The node that leads capture into a change log, as the log records it.
 *
 * @param epoch grows by one each time a node takes the lead; appends of an older epoch are refused
 * @param node who leads: host, process and slot, as the node names itself
 * @param slotName the replication slot the log is captured from
 * @param since when the node took the lead
 */
public record CaptureLeader(long epoch, String node, String slotName, Instant since) {

    public CaptureLeader {
        requireNonNull(node, "node is null");
        requireNonNull(slotName, "slotName is null");
        requireNonNull(since, "since is null");
    }
}
