package dev.tidemark.client.internal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue from the transport to the applier. It never blocks the transport's event loop: when more
 * than {@code highWater} items wait, it asks {@link FlowControl} to stop reading from the socket, and
 * to read again once the applier has taken it down to half. The queue therefore holds about
 * {@code highWater} messages (plus what one socket read had already decoded), while the network keeps
 * receiving as long as the applier keeps up.
 */
final class Inbox {

    private final LinkedBlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final int highWater;
    private final FlowControl flow;

    Inbox(int highWater, FlowControl flow) {
        if (highWater < 1) {
            throw new IllegalArgumentException("highWater must be at least 1, not " + highWater);
        }
        this.highWater = highWater;
        this.flow = flow;
    }

    /** Adds an item; never blocks. */
    void put(Inbound item) {
        queue.add(item);
        if (queue.size() >= highWater && paused.compareAndSet(false, true)) {
            flow.pause();
            // The applier may have emptied the queue between the size check and the pause, and
            // then wait for an item that can no longer arrive: look again after pausing.
            resumeIfDrained();
        }
    }

    /** The next item, waiting for one. */
    Inbound take() throws InterruptedException {
        Inbound item = queue.take();
        resumeIfDrained();
        return item;
    }

    private void resumeIfDrained() {
        if (queue.size() <= highWater / 2 && paused.compareAndSet(true, false)) {
            flow.resume();
        }
    }

    /** True while reading is paused because the applier is behind. */
    boolean paused() {
        return paused.get();
    }

    int size() {
        return queue.size();
    }
}
