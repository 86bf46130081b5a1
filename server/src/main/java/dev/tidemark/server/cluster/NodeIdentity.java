package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This server process among the nodes that share one change log: a name unique among them (host, process id and a
 * random instance suffix, so several nodes in one test process differ), used in logs, status and the change log's
 * cluster tables.
 *
 * @param name the node's name, at most 63 bytes in practice (PostgreSQL's {@code application_name} keeps no more)
 */
public record NodeIdentity(String name) {

    public NodeIdentity {
        requireNonNull(name, "name is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a node's name must not be blank");
        }
    }

    /** A new name for this process: {@code <host> pid <pid>.<4 hex digits>}. */
    public static NodeIdentity forThisProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return new NodeIdentity(host + " pid " + ProcessHandle.current().pid() + "."
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()));
    }

    @Override
    public String toString() {
        return name;
    }
}
