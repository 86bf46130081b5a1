package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncListener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client's state machine")
class ClientTransitionsTest {

    /** The table as docs/architecture.md ("Client states") shows it; every other pair is refused. */
    private static final Map<ClientState, Map<ClientEvent, ClientState>> EXPECTED = new EnumMap<>(ClientState.class);

    static {
        expect(ClientState.NEW, ClientEvent.START, ClientState.CONNECTING);
        expect(ClientState.NEW, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.CONNECTING, ClientEvent.CONNECT, ClientState.CONNECTING);
        expect(ClientState.CONNECTING, ClientEvent.WELCOMED, ClientState.CONNECTED);
        expect(ClientState.CONNECTING, ClientEvent.CONNECTION_LOST, ClientState.BACKING_OFF);
        expect(ClientState.CONNECTING, ClientEvent.RESYNC_PACED, ClientState.RESYNCING);
        expect(ClientState.CONNECTING, ClientEvent.RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        expect(ClientState.CONNECTING, ClientEvent.REFUSED, ClientState.FAILED);
        expect(ClientState.CONNECTING, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.CONNECTED, ClientEvent.CONNECTION_LOST, ClientState.BACKING_OFF);
        expect(ClientState.CONNECTED, ClientEvent.RESYNC_PACED, ClientState.RESYNCING);
        expect(ClientState.CONNECTED, ClientEvent.RESYNC_STARTED, ClientState.RESYNCING);
        expect(ClientState.CONNECTED, ClientEvent.RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        expect(ClientState.CONNECTED, ClientEvent.REFUSED, ClientState.FAILED);
        expect(ClientState.CONNECTED, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.RESYNCING, ClientEvent.CONNECT, ClientState.CONNECTING);
        expect(ClientState.RESYNCING, ClientEvent.WELCOMED, ClientState.RESYNCING);
        expect(ClientState.RESYNCING, ClientEvent.CONNECTION_LOST, ClientState.BACKING_OFF);
        expect(ClientState.RESYNCING, ClientEvent.RESYNC_PACED, ClientState.RESYNCING);
        expect(ClientState.RESYNCING, ClientEvent.RESYNC_STARTED, ClientState.RESYNCING);
        expect(ClientState.RESYNCING, ClientEvent.RESYNC_FINISHED, ClientState.CONNECTED);
        expect(ClientState.RESYNCING, ClientEvent.RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        expect(ClientState.RESYNCING, ClientEvent.REFUSED, ClientState.FAILED);
        expect(ClientState.RESYNCING, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.BACKING_OFF, ClientEvent.CONNECT, ClientState.CONNECTING);
        expect(ClientState.BACKING_OFF, ClientEvent.CONNECTION_LOST, ClientState.BACKING_OFF);
        expect(ClientState.BACKING_OFF, ClientEvent.RESYNC_REQUIRED, ClientState.RESYNC_REQUIRED);
        expect(ClientState.BACKING_OFF, ClientEvent.REFUSED, ClientState.FAILED);
        expect(ClientState.BACKING_OFF, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.RESYNC_REQUIRED, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.FAILED, ClientEvent.CLOSE, ClientState.CLOSED);
        expect(ClientState.CLOSED, ClientEvent.CLOSE, ClientState.CLOSED);
    }

    private static void expect(ClientState from, ClientEvent event, ClientState to) {
        EXPECTED.computeIfAbsent(from, ignored -> new EnumMap<>(ClientEvent.class)).put(event, to);
    }

    /** How to bring a fresh board into {@code state} through legal transitions only. */
    private static final Map<ClientState, List<ClientEvent>> PATHS = Map.of(
            ClientState.NEW, List.of(),
            ClientState.CONNECTING, List.of(ClientEvent.START),
            ClientState.CONNECTED, List.of(ClientEvent.START, ClientEvent.WELCOMED),
            ClientState.RESYNCING, List.of(ClientEvent.START, ClientEvent.WELCOMED, ClientEvent.RESYNC_STARTED),
            ClientState.BACKING_OFF, List.of(ClientEvent.START, ClientEvent.CONNECTION_LOST),
            ClientState.RESYNC_REQUIRED, List.of(ClientEvent.START, ClientEvent.RESYNC_REQUIRED),
            ClientState.FAILED, List.of(ClientEvent.START, ClientEvent.REFUSED),
            ClientState.CLOSED, List.of(ClientEvent.CLOSE));

    private final List<String> heard = new CopyOnWriteArrayList<>();

    private Notifier recordingNotifier() {
        return new Notifier(List.of(new SyncListener() {
            @Override
            public void onStateChanged(ClientState previous, ClientState current) {
                heard.add(previous + "->" + current);
            }
        }));
    }

    /** The changes reported on the way from NEW to {@code state} along {@link #PATHS}. */
    private static List<String> changesOnPathTo(ClientState state) {
        List<String> changes = new ArrayList<>();
        ClientState at = ClientState.NEW;
        for (ClientEvent event : PATHS.get(state)) {
            ClientState next = EXPECTED.get(at).get(event);
            if (next != at) {
                changes.add(at + "->" + next);
            }
            at = next;
        }
        assertThat(at).isEqualTo(state);
        return changes;
    }

    /**
     * Brings a fresh board to {@code from} by legal transitions, applies {@code event}, and returns whether it was
     * accepted, the state after it, and (once every report is delivered) the changes reported for the event.
     */
    private Outcome apply(ClientState from, ClientEvent event) {
        heard.clear();
        Notifier notifier = recordingNotifier();
        StatusBoard board = new StatusBoard(notifier, () -> true);
        for (ClientEvent step : PATHS.get(from)) {
            assertThat(board.on(step)).as("path to %s: %s", from, step).isTrue();
        }
        assertThat(board.state()).isEqualTo(from);
        boolean accepted = board.on(event);
        ClientState after = board.state();
        notifier.close(5000);
        List<String> path = changesOnPathTo(from);
        assertThat(heard.subList(0, path.size())).isEqualTo(path);
        return new Outcome(accepted, after, List.copyOf(heard.subList(path.size(), heard.size())));
    }

    private record Outcome(boolean accepted, ClientState state, List<String> reported) {}

    @Test
    @DisplayName("has exactly the documented transitions")
    void table() {
        assertThat(new ClientTransitions().table()).isEqualTo(EXPECTED);
    }

    @Test
    @DisplayName("takes every legal transition, reporting a change only when the state changes")
    void legalTransitions() {
        for (ClientState from : ClientState.values()) {
            for (Map.Entry<ClientEvent, ClientState> entry : EXPECTED.getOrDefault(from, Map.of()).entrySet()) {
                Outcome outcome = apply(from, entry.getKey());
                String pair = from + " x " + entry.getKey();
                assertThat(outcome.accepted()).as(pair).isTrue();
                assertThat(outcome.state()).as(pair).isEqualTo(entry.getValue());
                assertThat(outcome.reported()).as(pair)
                        .isEqualTo(entry.getValue() == from ? List.of() : List.of(from + "->" + entry.getValue()));
            }
        }
    }

    @Test
    @DisplayName("refuses every other pair of state and event, changing and reporting nothing")
    void everyIllegalTransitionIsRefused() {
        List<String> refused = new ArrayList<>();
        for (ClientState from : ClientState.values()) {
            for (ClientEvent event : ClientEvent.values()) {
                if (EXPECTED.getOrDefault(from, Map.of()).containsKey(event)) {
                    continue;
                }
                String pair = from + " x " + event;
                assertThat(new ClientTransitions().next(from, event)).as(pair).isEmpty();
                Outcome outcome = apply(from, event);
                assertThat(outcome.accepted()).as("%s is refused", pair).isFalse();
                assertThat(outcome.state()).as("%s leaves the state", pair).isEqualTo(from);
                assertThat(outcome.reported()).as("%s reports nothing", pair).isEmpty();
                refused.add(pair);
            }
        }
        int legal = EXPECTED.values().stream().mapToInt(Map::size).sum();
        assertThat(refused).hasSize(ClientState.values().length * ClientEvent.values().length - legal)
                .contains("NEW x WELCOMED", "BACKING_OFF x WELCOMED", "CONNECTED x RESYNC_FINISHED",
                        "FAILED x START", "CLOSED x START", "RESYNC_REQUIRED x CONNECT");
    }

    @Test
    @DisplayName("changes the state only on its owner thread")
    void ownerThreadOnly() {
        Notifier notifier = recordingNotifier();
        StatusBoard board = new StatusBoard(notifier, () -> false);
        assertThatThrownBy(() -> board.on(ClientEvent.START))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only on its event loop");
        assertThat(board.state()).isEqualTo(ClientState.NEW);
        notifier.close(5000);
    }

    @Test
    @DisplayName("never leaves a terminal state except by closing")
    void terminalStates() {
        ClientTransitions transitions = new ClientTransitions();
        for (ClientState terminal : List.of(ClientState.RESYNC_REQUIRED, ClientState.FAILED, ClientState.CLOSED)) {
            for (ClientEvent event : ClientEvent.values()) {
                Optional<ClientState> next = transitions.next(terminal, event);
                assertThat(next).as("%s x %s", terminal, event)
                        .isEqualTo(event == ClientEvent.CLOSE ? Optional.of(ClientState.CLOSED) : Optional.empty());
            }
        }
    }
}
