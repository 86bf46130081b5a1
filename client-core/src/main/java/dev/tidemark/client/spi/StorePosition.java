package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;

/**
 * Where a store stands: the LSN of the last applied batch and the running checksum of every change
 * applied since its history began. A {@link StoreBackend} reads and writes the two together, always.
 *
 * @param lsn the committed LSN; {@link Lsn#ZERO} for a new store
 * @param checksum the sum ({@link Checksum#of(Iterable)}, modulo 2<sup>64</sup>) of the checksums of
 *     every change applied since the history began; {@code 0} for a new store
 */
public record StorePosition(Lsn lsn, long checksum) {

    /** A new store's position, and the one after {@link StoreBackend#resetHistory(String)}. */
    public static final StorePosition START = new StorePosition(Lsn.ZERO, 0);

    public StorePosition {
        requireNonNull(lsn, "lsn is null");
    }
}
