package dev.tidemark.server.hub;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The streaming sessions: by client id (one connection per client; a newer one supersedes an older), and by
 * thread, so a tip move costs one task per event loop rather than one per client.
 */
final class SessionRegistry {

    private final Map<String, ClientSession> byClient = new ConcurrentHashMap<>();
    private final Map<EventExecutor, LoopSessions> byLoop = new ConcurrentHashMap<>();

    /** The sessions of one event loop; touched only on that loop, except for the notification flag. */
    private static final class LoopSessions {
        final EventExecutor loop;
        final Set<ClientSession> sessions = new HashSet<>();
        final AtomicBoolean notifyPending = new AtomicBoolean();

        LoopSessions(EventExecutor loop) {
            this.loop = loop;
        }

        void notifySessions() {
            notifyPending.set(false);
            for (ClientSession session : new ArrayList<>(sessions)) {
                session.logAdvanced();
            }
        }
    }

    /**
     * Registers a streaming session (on its own thread).
     *
     * @return the session it supersedes, or {@code null}
     */
    ClientSession register(ClientSession session) {
        byLoop.computeIfAbsent(session.executor(), LoopSessions::new).sessions.add(session);
        ClientSession previous = byClient.put(session.clientId(), session);
        return previous == session ? null : previous;
    }

    /**
     * Removes a session (on its own thread).
     *
     * @return whether it was still the client's current session
     */
    boolean remove(ClientSession session) {
        LoopSessions loop = byLoop.get(session.executor());
        if (loop != null) {
            loop.sessions.remove(session);
        }
        return byClient.remove(session.clientId(), session);
    }

    /** Tells every session, on its own thread, that the log moved on. Never blocks. */
    void notifyAllSessions() {
        for (LoopSessions loop : byLoop.values()) {
            if (loop.notifyPending.compareAndSet(false, true)) {
                try {
                    loop.loop.execute(loop::notifySessions);
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // The server is stopping and this loop with it: its sessions are closing, nobody to tell.
                    loop.notifyPending.set(false);
                }
            }
        }
    }

    ClientSession get(String clientId) {
        return byClient.get(clientId);
    }

    /** The current session of each client (a copy). */
    Map<String, ClientSession> byClient() {
        return Map.copyOf(byClient);
    }

    Collection<ClientSession> all() {
        return List.copyOf(byClient.values());
    }

    int size() {
        return byClient.size();
    }
}
