package dev.tidemark.server.hub;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A v1 client connected and has until the hello timeout to say {@code hello}; only {@code hello} is valid. */
final class AwaitingHello implements SessionPhase {

    private static final Logger log = LoggerFactory.getLogger(AwaitingHello.class);

    private final ClientSession session;
    private final ConnectionRequest request;
    private ScheduledFuture<?> timeout;

    AwaitingHello(ClientSession session, ConnectionRequest request) {
        this.session = session;
        this.request = request;
    }

    /** Starts the hello timeout. */
    void arm() {
        timeout = session.executor().schedule(() -> {
            if (session.phase() == this) {
                // 1013, not 1002: a slow client (a loaded machine) is not a broken one, and 1002 tells a
                // client never to reconnect.
                session.closeWith(ErrorCode.UNEXPECTED_MESSAGE, "no hello within " + request.helloTimeout()
                        + ": send hello first", CloseCodes.TRY_AGAIN_LATER);
            }
        }, request.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return "AWAITING_HELLO";
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello hello) {
            onHello(hello);
        } else {
            session.unexpected("'" + message.type() + "' before hello: send hello first; nothing changed");
        }
    }

    private void onHello(Hello hello) {
        HelloCheck.Outcome outcome = HelloCheck.check(hello, request);
        if (outcome instanceof HelloCheck.Refused refused) {
            if (refused.code() == ErrorCode.FORBIDDEN) {
                log.warn("refused hello from {}: client id '{}' is not the token's '{}'", session.remoteAddress(),
                        hello.clientId(), request.grant().clientId());
            }
            session.closeWith(refused.code(), refused.message(), refused.closeCode());
            return;
        }
        session.start(((HelloCheck.Accepted) outcome).terms());
    }

    @Override
    public void exit() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
