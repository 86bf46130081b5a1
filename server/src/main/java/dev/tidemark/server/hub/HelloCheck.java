package dev.tidemark.server.hub;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Checks a client's start (its protocol version and that its token permits its client id) and reads its terms. */
final class HelloCheck {

    /** What the check found. */
    sealed interface Outcome permits Accepted, Refused {}

    /** The client may start on {@code terms}. */
    record Accepted(StreamTerms terms) implements Outcome {}

    /** The client may not start: it gets {@code code} and the connection closes with {@code closeCode}. */
    record Refused(ErrorCode code, String message, int closeCode) implements Outcome {}

    private HelloCheck() {}

    /** A v1 client's {@code hello}. */
    static Outcome check(Hello hello, ConnectionRequest request) {
        if (hello.protocolVersion() != Message.PROTOCOL_VERSION) {
            return new Refused(ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol version "
                    + Message.PROTOCOL_VERSION + ", the client asked for " + hello.protocolVersion()
                    + ": use a client that speaks version " + Message.PROTOCOL_VERSION, CloseCodes.PROTOCOL_ERROR);
        }
        if (!request.grant().permitsClient(hello.clientId())) {
            return new Refused(ErrorCode.FORBIDDEN, "the token is for client '" + request.grant().clientId()
                    + "', not '" + hello.clientId() + "'", CloseCodes.POLICY_VIOLATION);
        }
        EntityFilter wanted = EntityFilter.of(request.grant(), hello.subscriptions());
        Set<String> owed = Set.of();
        Set<String> held = Set.of();
        if (hello.heldEntityTypes() != null && !hello.lastLsn().equals(Lsn.ZERO)) {
            // Subscribing to every type: which types exist is resolved when the snapshot is taken.
            Set<String> types = new TreeSet<>(wanted.all()
                    ? Set.of(TableSnapshotStreamer.EVERY_TYPE_NOT_HELD) : wanted.types());
            types.removeAll(hello.heldEntityTypes());
            owed = types;
            held = Set.copyOf(hello.heldEntityTypes());
        }
        return new Accepted(new StreamTerms(hello.clientId(), hello.historyId(), hello.lastLsn(), true,
                hello.has(Hello.CAPABILITY_ACK), hello.has(Hello.CAPABILITY_RESYNC), wanted, owed, held));
    }

    /** A legacy client's start: streamed to at once from its position, without acks, every type its token grants. */
    static StreamTerms legacy(ConnectionRequest request, ConnectionRequest.LegacyStart legacy) {
        return new StreamTerms(legacy.clientId(), null, legacy.lsn(), false, false, false,
                EntityFilter.of(request.grant(), List.of()), Set.of(), Set.of());
    }
}
