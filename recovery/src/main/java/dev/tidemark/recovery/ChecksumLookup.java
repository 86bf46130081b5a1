package dev.tidemark.recovery;

import dev.tidemark.protocol.Lsn;
import java.util.OptionalLong;

/** The server's checksum over its change history, for one client's view of it. */
@FunctionalInterface
public interface ChecksumLookup {

    /**
     * The sum of the checksums of every change up to and including {@code lsn} that the client
     * receives, or empty when the server cannot tell (the range was trimmed without a checksum).
     */
    OptionalLong checksumThrough(Lsn lsn);
}
