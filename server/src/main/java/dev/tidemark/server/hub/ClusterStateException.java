package dev.tidemark.server.hub;

/** The state shared by the nodes ({@link ClusterState}) cannot be read or written now. */
public final class ClusterStateException extends RuntimeException {

    public ClusterStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
