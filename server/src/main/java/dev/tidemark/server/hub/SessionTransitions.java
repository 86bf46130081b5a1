package dev.tidemark.server.hub;

import java.util.Map;
import java.util.Set;

/** The moves a {@link ClientSession} may make between its {@link SessionPhase}s; any other is a bug. */
final class SessionTransitions {

    private static final Map<Class<? extends SessionPhase>, Set<Class<? extends SessionPhase>>> ALLOWED = Map.of(
            AwaitingHello.class, Set.of(Starting.class, Closed.class),
            Starting.class, Set.of(Streaming.class, Resyncing.class, ResyncRequired.class, Closed.class),
            Streaming.class, Set.of(Resyncing.class, ResyncRequired.class, Closed.class),
            Resyncing.class, Set.of(Streaming.class, Closed.class),
            ResyncRequired.class, Set.of(Closed.class),
            Closed.class, Set.of());

    private SessionTransitions() {}

    /** Whether a session may move from {@code from} to {@code to}. */
    static boolean allowed(Class<? extends SessionPhase> from, Class<? extends SessionPhase> to) {
        return ALLOWED.get(from).contains(to);
    }

    /** The phases a session may move to from {@code from}. */
    static Set<Class<? extends SessionPhase>> from(Class<? extends SessionPhase> from) {
        return ALLOWED.get(from);
    }
}
