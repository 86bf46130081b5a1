package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.List;
import java.util.Optional;

/**
 * What the retention job does this round.
 *
 * @param trimThrough trim every transaction at or before this position, or empty to trim nothing
 * @param heldBackBy the active client whose acknowledged position limits trimming, if any
 * @param losingClients clients whose acknowledged position is before {@code trimThrough}: they will
 *     have to resync
 * @param nearHorizonClients clients whose position approaches the age limit: warn them now
 */
public record RetentionPlan(Optional<Lsn> trimThrough, Optional<String> heldBackBy, List<String> losingClients,
                            List<String> nearHorizonClients) {

    public RetentionPlan {
        requireNonNull(trimThrough, "trimThrough is null");
        requireNonNull(heldBackBy, "heldBackBy is null");
        losingClients = List.copyOf(losingClients);
        nearHorizonClients = List.copyOf(nearHorizonClients);
    }
}
