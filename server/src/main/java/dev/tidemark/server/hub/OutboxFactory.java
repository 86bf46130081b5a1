package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import java.util.Set;

/** Makes the {@link Outbox} of each streaming session from what every outbox of one hub shares. */
final class OutboxFactory {

    private final HubConfig config;
    private final LiveEdge edge;
    private final LogPages pages;
    private final BatchAssembler assembler;
    private final HubMetrics metrics;
    private final MessageCodec codec;
    private final PreEncodedBatch preEncoded;
    private final boolean snapshots;

    OutboxFactory(HubConfig config, LiveEdge edge, LogPages pages, BatchAssembler assembler, HubMetrics metrics,
                  MessageCodec codec, boolean snapshots) {
        this.config = config;
        this.edge = edge;
        this.pages = pages;
        this.assembler = assembler;
        this.metrics = metrics;
        this.codec = codec;
        this.preEncoded = new PreEncodedBatch(codec);
        this.snapshots = snapshots;
    }

    /** An outbox streaming to {@code channel} from {@code start}; see {@link Outbox}. */
    Outbox open(ClientChannel channel, EntityFilter filter, boolean acks, Lsn start, Set<String> owed, String history,
                Outbox.Listener listener) {
        return new Outbox(config, edge, pages, assembler, metrics, codec, preEncoded, snapshots, channel, filter, acks,
                start, owed, history, listener);
    }
}
