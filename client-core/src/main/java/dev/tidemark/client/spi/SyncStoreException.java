package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

/**
 * A store could not do what was asked. Whatever the call was, it changed nothing: a failed
 * {@link SyncStore#apply} leaves the committed LSN, checksum and data as they were.
 */
public class SyncStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final StoreErrorCode code;

    public SyncStoreException(StoreErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    public SyncStoreException(StoreErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    /** Why the call failed. */
    public StoreErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + code + "]: " + getMessage();
    }
}
