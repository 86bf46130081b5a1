package dev.tidemark.client.spi;

/**
 * A {@link ChangeSource} could not deliver the rest of its batch: the connection was lost in the
 * middle of a multi-part batch, a part failed its checksum, or the client is stopping. The store
 * rolls the batch back and rethrows this exception unchanged; the batch is sent again later.
 */
public class ChangeSourceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChangeSourceException(String message) {
        super(message);
    }

    public ChangeSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
