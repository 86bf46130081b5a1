package dev.tidemark.server.hub;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.spi.HistoryState;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client said who it is; the change log's state is being read to decide where it starts (a v1 client gets
 * {@code welcome} then). No client message is valid until streaming or a resync starts.
 */
final class Starting implements SessionPhase {

    private static final Logger log = LoggerFactory.getLogger(Starting.class);

    private final ClientSession session;
    private final Peer peer;
    private final int window;

    Starting(ClientSession session, Peer peer, int window) {
        this.session = session;
        this.peer = peer;
        this.window = window;
    }

    @Override
    public String name() {
        return "STARTING";
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello) {
            session.helloAgain();
        } else {
            session.unexpected("'" + message.type() + "' before streaming started: wait for the first batch;"
                    + " nothing changed");
        }
    }

    /** The change log's state was read: the start decision. */
    void stateRead(Optional<HistoryState> logState) {
        if (session.phase() != this) {
            return;
        }
        if (logState.isEmpty()) {
            session.closeWith(ErrorCode.INTERNAL, "the server has no change history yet (capture has not started):"
                    + " reconnect in a few seconds", CloseCodes.TRY_AGAIN_LATER);
            return;
        }
        HistoryState server = logState.get();
        session.historyDecided(server.historyId());
        StreamTerms terms = peer.terms();
        Optional<String> resync = StartDecider.resyncReason(server, terms.historyId(), terms.lastLsn(), terms.v1());
        if (terms.v1()) {
            List<String> incomplete = peer.incomplete().forWelcome();
            session.writer().send(new Welcome(server.historyId(), server.capturePosition(), Message.PROTOCOL_VERSION,
                    window, incomplete));
            if (!incomplete.isEmpty()) {
                log.warn("client '{}' receives entity types whose captured history is incomplete now: {}",
                        terms.clientId(), incomplete);
            }
        }
        if (resync.isPresent()) {
            session.resync(resync.get(), terms.lastLsn(), server.capturePosition());
            return;
        }
        session.stream(terms.lastLsn(), terms.owedTypes());
    }
}
