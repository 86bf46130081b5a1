package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import java.util.Locale;

/**
 * Batch ids: the batch's LSN in hexadecimal, plus {@code .N} after the N-th rewind of a connection. Clients
 * that never rewound get the same ids for the same batches, so a live batch is encoded once for all of
 * them; after a rewind the ids differ from every id sent before it, so a late error ack for a batch sent
 * before the rewind is recognised as stale. Clients treat ids as opaque.
 */
final class BatchIds {

    private BatchIds() {}

    static String of(Lsn lsn, int epoch) {
        String hex = Long.toHexString(lsn.value()).toUpperCase(Locale.ROOT);
        return epoch == 0 ? hex : hex + "." + epoch;
    }
}
