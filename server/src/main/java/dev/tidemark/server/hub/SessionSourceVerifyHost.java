package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Message;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a {@link SourceVerifySession} sees of its {@link ClientSession}: it may write only while the client streams. */
final class SessionSourceVerifyHost implements SourceVerifySession.Host {

    private static final Logger log = LoggerFactory.getLogger(SessionSourceVerifyHost.class);

    private final ClientSession session;

    SessionSourceVerifyHost(ClientSession session) {
        this.session = session;
    }

    @Override
    public String clientId() {
        return session.clientId();
    }

    @Override
    public Outbox outbox() {
        return session.phase() instanceof Streaming streaming ? streaming.outbox() : null;
    }

    @Override
    public EntityFilter filter() {
        return session.phase().peer().terms().filter();
    }

    @Override
    public void send(Message message) {
        if (!(session.phase() instanceof Closed)) {
            session.writer().send(message);
        }
    }

    @Override
    public CompletableFuture<Void> writePart(Changes part) {
        if (!(session.phase() instanceof Streaming streaming)) {
            return CompletableFuture.failedFuture(new IllegalStateException("the session ended"));
        }
        streaming.outbox().snapshotPartSent(part.batchId());
        return session.writer().writePart(part);
    }

    @Override
    public void abort(String why, RuntimeException cause) {
        log.error("client '{}': {}", session.clientId(), why, cause);
        session.closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
    }

    @Override
    public EventExecutor executor() {
        return session.executor();
    }
}
