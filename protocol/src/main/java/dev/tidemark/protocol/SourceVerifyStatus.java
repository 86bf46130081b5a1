package dev.tidemark.protocol;

import java.util.Locale;

/** The outcome of a {@code source_verify}. */
public enum SourceVerifyStatus {
    /** The store equals the source at the verify's position. */
    AGREE,
    /** Entities differed; they were repaired by the batch sent just before the result. */
    REPAIRED,
    /** The verify could not be completed; the message says why and what to do. Nothing was changed. */
    FAILED;

    /** The status as it appears on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
