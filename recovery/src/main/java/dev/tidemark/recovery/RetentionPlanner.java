package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides how far the change history may be trimmed: below the lowest position any active client
 * still needs, but never keeping more than the policy's age or size allows, so one dead client cannot
 * hold history forever. Pure: the caller reads the inputs and carries out the plan.
 */
public final class RetentionPlanner {

    private final RetentionPolicy policy;

    public RetentionPlanner(RetentionPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    /** A client as the retention job sees it. */
    public record Client(String clientId, Lsn ackedLsn, Instant lastSeen, boolean connected) {
        public Client {
            requireNonNull(clientId, "clientId is null");
            requireNonNull(ackedLsn, "ackedLsn is null");
            requireNonNull(lastSeen, "lastSeen is null");
        }
    }

    /**
     * The history as the retention job sees it.
     *
     * @param capturePosition the newest position captured
     * @param ageHorizon the commit position of the newest transaction older than the policy's
     *     {@code maxAge}, if any: everything at or before it is too old to keep
     * @param warnHorizon the same for the policy's {@link RetentionPolicy#warnAge()}
     * @param sizeHorizon the position at or before which trimming leaves at most
     *     {@code maxChanges} changes, if the history holds more
     */
    public record History(Lsn capturePosition, Optional<Lsn> ageHorizon, Optional<Lsn> warnHorizon,
                          Optional<Lsn> sizeHorizon) {
        public History {
            requireNonNull(capturePosition, "capturePosition is null");
            requireNonNull(ageHorizon, "ageHorizon is null");
            requireNonNull(warnHorizon, "warnHorizon is null");
            requireNonNull(sizeHorizon, "sizeHorizon is null");
        }
    }

    public RetentionPlan plan(History history, List<Client> clients, Instant now) {
        List<Client> active = clients.stream()
                .filter(client -> client.connected() || !client.lastSeen().plus(policy.clientTimeout()).isBefore(now))
                .toList();
        Optional<Client> slowest = active.stream().min(Comparator.comparing(Client::ackedLsn));
        // With no active client, nothing needs the history beyond what the limits keep.
        Lsn needed = slowest.map(Client::ackedLsn).orElse(history.capturePosition());
        Lsn limit = Lsn.max(history.ageHorizon().orElse(Lsn.ZERO), history.sizeHorizon().orElse(Lsn.ZERO));
        Lsn wanted = Lsn.max(needed, limit);
        Lsn trim = wanted.isAfter(history.capturePosition()) ? history.capturePosition() : wanted;
        List<String> losing = new ArrayList<>();
        List<String> near = new ArrayList<>();
        for (Client client : clients) {
            if (client.ackedLsn().isBefore(trim)) {
                losing.add(client.clientId());
            } else if (history.warnHorizon().isPresent() && !client.ackedLsn().isAfter(history.warnHorizon().get())) {
                near.add(client.clientId());
            }
        }
        Optional<String> heldBackBy = slowest.filter(client -> client.ackedLsn().equals(trim)
                && trim.isBefore(history.capturePosition())).map(Client::clientId);
        return new RetentionPlan(trim.equals(Lsn.ZERO) ? Optional.empty() : Optional.of(trim), heldBackBy, losing, near);
    }
}
