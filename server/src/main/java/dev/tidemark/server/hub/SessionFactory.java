package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.server.feed.CaptureHealth;
import java.time.Clock;
import java.util.Set;

/**
 * Makes each connection's {@link ClientSession} and the per-session objects of its phases, handing each exactly
 * what it needs from the parts every session of one hub shares.
 */
final class SessionFactory {

    private final HubConfig config;
    private final SessionRegistry registry;
    private final LogPages pages;
    private final LiveEdge edge;
    private final ResyncGate gate;
    private final SnapshotStreamers streamers;
    private final OutboxFactory outboxes;
    private final TableSnapshots tables;
    private final VerifyHandler verify;
    private final ResyncPlanner resyncs;
    private final HubMetrics metrics;
    private final MessageCodec codec;
    private final Clock clock;
    private final ProgressWriter progress;
    private final CaptureHealth health;
    private final SessionClaims claims;

    SessionFactory(HubConfig config, SessionRegistry registry, LogPages pages, LiveEdge edge, ResyncGate gate,
                   SnapshotStreamers streamers, OutboxFactory outboxes, HubMetrics metrics, MessageCodec codec,
                   Clock clock, ProgressWriter progress, CaptureHealth health, SessionClaims claims) {
        this.config = config;
        this.registry = registry;
        this.pages = pages;
        this.edge = edge;
        this.gate = gate;
        this.streamers = streamers;
        this.outboxes = outboxes;
        this.metrics = metrics;
        this.codec = codec;
        this.clock = clock;
        this.progress = progress;
        this.health = health;
        this.claims = claims;
        this.tables = new TableSnapshots(gate, streamers, metrics, config);
        this.verify = new VerifyHandler(pages, gate, metrics, config);
        this.resyncs = new ResyncPlanner(gate, streamers.available(), metrics);
    }

    /** The session of a new connection, begun (see {@link ClientSession#begin()}). On the connection's thread. */
    ClientSession open(ClientChannel channel, ConnectionRequest request) {
        ClientSession session = new ClientSession(channel, request, new SessionWriter(channel, codec, metrics),
                registry, pages, edge, resyncs, verify, streamers, this);
        session.begin();
        return session;
    }

    /** Claims {@code clientId} for {@code session}, which starts streaming (see {@link SessionClaims}). */
    void claim(ClientSession session, String clientId, String sessionName) {
        claims.claim(session, clientId, sessionName);
    }

    /** The client of {@code session}, once it said who it is. */
    Peer peer(ClientSession session, StreamTerms terms) {
        return new Peer(terms, new AckHandler(config, metrics, clock, progress),
                new SourceVerifySession(gate, streamers, metrics, config, new SessionSourceVerifyHost(session)),
                new IncompleteTypes(health, terms.filter()));
    }

    Starting starting(ClientSession session, Peer peer) {
        return new Starting(session, peer, config.window());
    }

    Streaming streaming(ClientSession session, Peer peer, ClientChannel channel, Lsn from, Set<String> owed) {
        return new Streaming(session, peer, outboxes, tables, verify, channel, from, owed);
    }
}
