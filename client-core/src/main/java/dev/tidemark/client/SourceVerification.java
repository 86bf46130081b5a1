package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a {@link TidemarkClient#verifySource verify against the source} ended.
 *
 * @param outcome agreed, repaired or failed
 * @param position the log position the store was compared with the source at ({@code 0/0} when the verify
 *     failed before one was chosen)
 * @param repaired for {@link Outcome#REPAIRED}: entity type to the ids of the entities that differed and were
 *     rewritten from the source (or deleted when the source does not hold them); empty otherwise
 * @param message for {@link Outcome#FAILED}: why, and what to do; otherwise {@code null} or a note
 */
public record SourceVerification(Outcome outcome, Lsn position, Map<String, List<String>> repaired, String message) {

    /** The outcomes of a verify against the source. */
    public enum Outcome {
        /** The store equals the source at the position. */
        AGREED,
        /** Entities differed; they were repaired, nothing else was touched. */
        REPAIRED,
        /** The verify could not be completed; nothing was changed. */
        FAILED
    }

    public SourceVerification {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(position, "position is null");
        TreeMap<String, List<String>> copy = new TreeMap<>();
        requireNonNull(repaired, "repaired is null").forEach((type, ids) -> copy.put(type, List.copyOf(ids)));
        repaired = java.util.Collections.unmodifiableMap(copy);
    }

    /** How many entities were repaired. */
    public int repairedCount() {
        return repaired.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case AGREED -> "the store agrees with the source at " + position;
            case REPAIRED -> "repaired " + repairedCount() + " entities of " + repaired.keySet() + " at " + position;
            case FAILED -> "the verify against the source failed: " + message;
        };
    }
}
