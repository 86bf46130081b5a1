package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One node as recorded in {@code tidemark.node}: what it last said of itself, and how long ago.
 *
 * @param name the node's name ({@link NodeIdentity})
 * @param url where clients reach it
 * @param startedAt when it started
 * @param heartbeatAge how long ago its last heartbeat was written (PostgreSQL's clock)
 * @param heartbeatInterval how often it writes a heartbeat
 * @param captureLeader whether it led capture at its last heartbeat
 * @param clientIds the clients connected to it at its last heartbeat
 * @param liveLagBytes WAL bytes between the change log's capture position and what its hub had been fed
 */
public record NodeStatus(String name, String url, Instant startedAt, Duration heartbeatAge, Duration heartbeatInterval,
                         boolean captureLeader, List<String> clientIds, long liveLagBytes) {

    /** A node is gone once its last heartbeat is older than this many intervals. */
    public static final int GONE_AFTER_INTERVALS = 3;

    public NodeStatus {
        requireNonNull(name, "name is null");
        requireNonNull(url, "url is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(heartbeatAge, "heartbeatAge is null");
        requireNonNull(heartbeatInterval, "heartbeatInterval is null");
        clientIds = List.copyOf(clientIds);
    }

    /** True when the node missed {@value #GONE_AFTER_INTERVALS} heartbeats: killed, cut off, or stopped uncleanly. */
    public boolean gone() {
        return heartbeatAge.compareTo(heartbeatInterval.multipliedBy(GONE_AFTER_INTERVALS)) > 0;
    }
}
