package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.Optional;

/**
 * The identity of a history (DESIGN section 5): the source cluster's system identifier, its timeline,
 * the slot, and the position the history started at. Its text form is the {@code historyId}:
 * {@code pg-<systemId>-<timeline>-<slot>-<start as 16 hex digits>}, for example
 * {@code pg-7412345678901234567-1-tidemark-0000000001A2B3C0}.
 *
 * @param systemId the source's system identifier
 * @param timeline the source's timeline
 * @param slotName the replication slot
 * @param start the position the history starts at
 */
record HistoryIdentity(String systemId, int timeline, String slotName, Lsn start) {

    HistoryIdentity {
        requireNonNull(systemId, "systemId is null");
        requireNonNull(slotName, "slotName is null");
        requireNonNull(start, "start is null");
    }

    String historyId() {
        return "pg-" + systemId + "-" + timeline + "-" + slotName + "-" + String.format("%016X", start.value());
    }

    /** Parses a history id written by {@link #historyId()}; empty for any other text. */
    static Optional<HistoryIdentity> parse(String historyId) {
        String[] parts = historyId.split("-");
        if (parts.length != 5 || !parts[0].equals("pg") || parts[4].length() != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HistoryIdentity(parts[1], Integer.parseInt(parts[2]), parts[3],
                    Lsn.of(Long.parseUnsignedLong(parts[4], 16))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether a history of this identity can continue on {@code source} and slot {@code slotName}. */
    boolean sameSource(SourceIdentity source, String slotName) {
        return systemId.equals(source.systemId()) && timeline == source.timeline() && this.slotName.equals(slotName);
    }
}
