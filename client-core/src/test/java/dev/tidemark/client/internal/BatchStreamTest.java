package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A batch stream feeding the store")
class BatchStreamTest {

    private static final Lsn PREV = Lsn.parse("0/10");
    private static final Lsn LSN = Lsn.parse("0/20");

    private final Connection connection = connection(1);
    private final Inbox inbox = new Inbox(100, new FlowControl() {
        @Override
        public void pause() {}

        @Override
        public void resume() {}
    });
    private final ArrayDeque<Inbound> deferred = new ArrayDeque<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private static Connection connection(int id) {
        return new Connection(id, new EmbeddedChannel(), "c-1", new MessageCodec());
    }

    private static List<Change> changes(int from, int count) {
        List<Change> changes = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            changes.add(Change.update("todo", Integer.toString(i), "{\"id\":" + i + "}", Instant.EPOCH.plusSeconds(i)));
        }
        return changes;
    }

    private static Changes part(int part, boolean last, List<Change> data) {
        return Changes.part("b", PREV, LSN, part, last, data);
    }

    private BatchStream stream(Changes first) {
        return new BatchStream(first, connection, inbox, deferred, stopping::get);
    }

    private static List<Change> drain(BatchStream stream) {
        List<Change> read = new ArrayList<>();
        Change change;
        while ((change = stream.next()) != null) {
            read.add(change);
        }
        return read;
    }

    @Test
    @DisplayName("yields a single-part batch's changes, then the end")
    void singlePart() {
        List<Change> data = changes(0, 3);
        BatchStream stream = stream(Changes.of(new ChangeBatch("b", PREV, LSN, data)));
        assertThat(drain(stream)).isEqualTo(data);
        assertThat(stream.complete()).isTrue();
        assertThat(stream.parts()).isEqualTo(1);
        assertThat(stream.changes()).isEqualTo(3);
        assertThat(stream.lastTimestamp()).isEqualTo(Instant.EPOCH.plusSeconds(2));
    }

    @Test
    @DisplayName("yields the parts' changes in order, taking later parts from the inbox, and sets other items aside")
    void parts() {
        CompletableFuture<dev.tidemark.protocol.SyncVerifyResult> verify = new CompletableFuture<>();
        inbox.put(Inbound.Received.of(connection, part(2, false, changes(2, 2))));
        inbox.put(new Inbound.VerifyRequested(verify));
        inbox.put(Inbound.Received.of(connection, part(3, true, changes(4, 1))));
        BatchStream stream = stream(part(1, false, changes(0, 2)));
        assertThat(drain(stream)).isEqualTo(changes(0, 5));
        assertThat(stream.complete()).isTrue();
        assertThat(stream.parts()).isEqualTo(3);
        assertThat(deferred).singleElement().isInstanceOf(Inbound.VerifyRequested.class);
        assertThat(inbox.size()).isZero();
    }

    @Test
    @DisplayName("aborts when its connection closes before the last part")
    void connectionLost() {
        inbox.put(Inbound.Received.of(connection, part(2, false, changes(2, 2))));
        inbox.put(new Inbound.Closed(connection, "reset"));
        BatchStream stream = stream(part(1, false, changes(0, 2)));
        stream.next();
        stream.next();
        stream.next();
        stream.next();
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(BatchAbort.class, abort -> {
            assertThat(abort.reason()).isEqualTo(BatchAbort.Reason.CONNECTION_LOST);
            assertThat(abort.acknowledgeAsError()).isFalse();
            assertThat(abort.getMessage()).contains("after part 2", "reset");
        });
        assertThat(stream.complete()).isFalse();
        assertThat(stream.lastPartReceived()).isFalse();
        assertThat(deferred).singleElement().isInstanceOf(Inbound.Closed.class);
    }

    @Test
    @DisplayName("aborts when a part fails its checksum, knowing whether it was the last")
    void badChecksum() {
        Changes good = part(2, true, changes(2, 2));
        inbox.put(Inbound.Received.of(connection, new Changes("b", PREV, LSN, good.checksum() + 1, 2, true, good.data())));
        BatchStream stream = stream(part(1, false, changes(0, 1)));
        stream.next();
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(BatchAbort.class, abort -> {
            assertThat(abort.reason()).isEqualTo(BatchAbort.Reason.CHECKSUM_MISMATCH);
            assertThat(abort.acknowledgeAsError()).isTrue();
            assertThat(abort.getMessage()).contains("part 2", "checksum");
        });
        assertThat(stream.lastPartReceived()).isTrue();
    }

    @Test
    @DisplayName("aborts when the server breaks the part sequence")
    void outOfSequence() {
        inbox.put(Inbound.Received.of(connection, part(3, true, changes(2, 2))));
        BatchStream stream = stream(part(1, false, changes(0, 1)));
        stream.next();
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(BatchAbort.class, abort -> {
            assertThat(abort.reason()).isEqualTo(BatchAbort.Reason.PROTOCOL);
            assertThat(abort.getMessage()).contains("expected part 2", "got part 3");
        });
        assertThat(deferred).singleElement().isInstanceOf(Inbound.Received.class);
    }

    @Test
    @DisplayName("aborts a batch of another batch id or position")
    void otherBatch() {
        inbox.put(Inbound.Received.of(connection, Changes.part("other", PREV, LSN, 2, true, changes(2, 1))));
        BatchStream stream = stream(part(1, false, changes(0, 1)));
        stream.next();
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(BatchAbort.class,
                abort -> assertThat(abort.reason()).isEqualTo(BatchAbort.Reason.PROTOCOL));
    }

    @Test
    @DisplayName("ignores what another connection says, and aborts when the client stops")
    void stopping() {
        inbox.put(new Inbound.Closed(connection(2), "old"));
        inbox.put(new Inbound.Stop());
        BatchStream stream = new BatchStream(part(1, false, changes(0, 1)), connection, inbox, deferred, () -> {
            // stopping becomes visible once the Stop item was seen, as in the applier
            return deferred.stream().anyMatch(Inbound.Stop.class::isInstance);
        });
        stream.next();
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(BatchAbort.class,
                abort -> assertThat(abort.reason()).isEqualTo(BatchAbort.Reason.STOPPING));
        assertThat(deferred).hasSize(2);
    }
}
