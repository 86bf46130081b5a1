package dev.tidemark.server.http;

/** The sync endpoint's port is taken by another process; nothing was started. */
public final class PortInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int port;

    public PortInUseException(String bindAddress, int port, Throwable cause) {
        super("port " + port + " on " + bindAddress + " is already in use, so the sync endpoint cannot listen there:"
                + " stop the process that holds it (ss -ltnp 'sport = :" + port + "' shows it; an earlier tidemark"
                + " still running?) or choose another port (--port PORT, or tidemark.http.port; 0 takes any free one)",
                cause);
        this.port = port;
    }

    /** The port that was taken. */
    public int port() {
        return port;
    }
}
