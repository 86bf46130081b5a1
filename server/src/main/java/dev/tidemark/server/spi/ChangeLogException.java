package dev.tidemark.server.spi;

/** A change log could not do what was asked; nothing was changed. */
public class ChangeLogException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChangeLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public ChangeLogException(String message) {
        super(message);
    }
}
