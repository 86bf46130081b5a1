package dev.tidemark.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The per-node meters of a server among several sharing one change log, tagged {@code node=<name>}:
 * {@value #CLIENTS} (clients streaming from this node) and {@value #LIVE_LAG} (WAL bytes this node's live feed is
 * behind the change log's capture position, measured on each node heartbeat). Whether the node leads capture is
 * {@code tidemark.capture.leader}.
 */
public final class NodeMetrics {

    /** Clients streaming from this node. */
    public static final String CLIENTS = "tidemark.node.clients";
    /** WAL bytes between the change log's capture position and what this node's live feed delivered. */
    public static final String LIVE_LAG = "tidemark.node.live.lag.bytes";

    private NodeMetrics() {}

    /** Registers this node's meters. */
    public static void register(MeterRegistry meters, String node, IntSupplier clients, LongSupplier liveLagBytes) {
        requireNonNull(meters, "meters is null");
        requireNonNull(node, "node is null");
        requireNonNull(clients, "clients is null");
        requireNonNull(liveLagBytes, "liveLagBytes is null");
        Gauge.builder(CLIENTS, clients, supplier -> supplier.getAsInt()).tag("node", node).strongReference(true)
                .description("clients streaming from this node").register(meters);
        Gauge.builder(LIVE_LAG, liveLagBytes, supplier -> supplier.getAsLong()).tag("node", node).strongReference(true).baseUnit("bytes")
                .description("WAL bytes between the change log's capture position and what this node's live feed"
                        + " delivered to its hub (measured on each node heartbeat)").register(meters);
    }
}
