package dev.tidemark.server.spi;

/**
 * An append was refused because its node no longer leads capture: another node took the lead (a newer
 * epoch) since this one did. Nothing was changed; the node must stop capturing.
 */
public class StaleLeaderException extends ChangeLogException {

    private static final long serialVersionUID = 1L;

    public StaleLeaderException(String message) {
        super(message);
    }
}
