package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * Which server node the client tries next: round robin over the configured URLs, starting after the one that
 * failed. A round is complete once every node failed in a row; only then does the client wait its backoff, so
 * a dead node does not slow the move to a live one. With one URL every failure completes a round: the backoff
 * is the single-node client's. Event loop only.
 */
final class ServerRotation {

    /** The backoff's attempt counter stops growing here; the delay is capped long before. */
    private static final int MAX_ROUNDS = 62;

    private final List<URI> servers;
    private int current;
    private int failuresInRound;
    private int failedRounds;

    ServerRotation(List<URI> servers) {
        this.servers = List.copyOf(requireNonNull(servers, "servers is null"));
        if (this.servers.isEmpty()) {
            throw new IllegalArgumentException("no server URL to rotate over");
        }
    }

    /** The node to connect to now. */
    URI current() {
        return servers.get(current);
    }

    /** True when there is more than one node. */
    boolean several() {
        return servers.size() > 1;
    }

    /**
     * The current node failed (it could not be reached, or its connection was lost): the next node becomes current.
     *
     * @return true when this failure completes a round (every node failed in a row): wait the backoff for
     *     {@link #failedRounds()} before connecting; false to connect to the next node right away
     */
    boolean failed() {
        current = (current + 1) % servers.size();
        failuresInRound++;
        if (failuresInRound < servers.size()) {
            return false;
        }
        failuresInRound = 0;
        return true;
    }

    /** How many rounds failed in a row before the one just completed: the backoff's attempt number. */
    int failedRounds() {
        return failedRounds;
    }

    /** The backoff for a completed round is under way: the next completed round waits longer. */
    void roundWaited() {
        failedRounds = Math.min(failedRounds + 1, MAX_ROUNDS);
    }

    /** The server welcomed the client on the current node: the next failure starts a fresh round and backoff. */
    void connected() {
        failuresInRound = 0;
        failedRounds = 0;
    }
}
