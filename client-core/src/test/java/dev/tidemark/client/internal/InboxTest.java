package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

@DisplayName("The inbox between transport and applier")
class InboxTest {

    /** Records pauses and resumes, and checks they alternate. */
    private static final class Recorder implements FlowControl {
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        final AtomicBoolean paused = new AtomicBoolean();
        final AtomicBoolean alternated = new AtomicBoolean(true);

        @Override
        public void pause() {
            pauses.incrementAndGet();
            if (!paused.compareAndSet(false, true)) {
                alternated.set(false);
            }
        }

        @Override
        public void resume() {
            resumes.incrementAndGet();
            if (!paused.compareAndSet(true, false)) {
                alternated.set(false);
            }
        }
    }

    @Test
    @DisplayName("stops reading at the high-water mark and reads again once the applier took it down to half")
    void pausesAndResumes() throws InterruptedException {
        Recorder flow = new Recorder();
        Inbox inbox = new Inbox(4, flow);
        for (int i = 0; i < 3; i++) {
            inbox.put(new Inbound.ClearPending());
        }
        assertThat(flow.pauses).hasValue(0);
        inbox.put(new Inbound.ClearPending());
        assertThat(flow.pauses).hasValue(1);
        assertThat(inbox.paused()).isTrue();
        inbox.put(new Inbound.ClearPending());
        assertThat(flow.pauses).hasValue(1);

        inbox.take();
        inbox.take();
        assertThat(flow.resumes).hasValue(0);
        inbox.take();
        assertThat(flow.resumes).hasValue(1);
        assertThat(inbox.paused()).isFalse();
    }

    @RepeatedTest(20)
    @DisplayName("never leaves reading paused while the applier waits on an empty queue, and keeps the socket's state in step, however the two threads interleave")
    void noStall() throws Exception {
        Recorder flow = new Recorder();
        Inbox inbox = new Inbox(2, flow);
        int items = 200_000;
        CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < items; i++) {
                    inbox.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < items; i++) {
            inbox.put(new Inbound.ClearPending());
        }
        consumer.get(60, TimeUnit.SECONDS);
        assertThat(inbox.size()).isZero();
        assertThat(inbox.paused()).isFalse();
        assertThat(flow.paused).isFalse();
        assertThat(flow.alternated).isTrue();
        assertThat(flow.pauses.get()).isEqualTo(flow.resumes.get());
    }
}
