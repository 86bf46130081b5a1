package dev.tidemark.client.internal;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * The queue from the transport to the applier. It never blocks the transport's event loop: when more
 * than {@code highWater} items wait, it asks {@link FlowControl} to stop reading from the socket, and
 * to read again once the applier has taken it down to half. The queue therefore holds about
 * {@code highWater} messages (plus what one socket read had already decoded), while the network keeps
 * receiving as long as the applier keeps up.
 *
 * <p>A pause and a resume happen under one lock together with the flag that records them, so the
 * socket's state always matches the flag; and each side checks the size again after its own change,
 * so reading is never left paused while the applier waits on an empty queue.
 */
final class Inbox {

    private final LinkedBlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private final int highWater;
    private final FlowControl flow;
    private volatile boolean paused;

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
        if (!paused && queue.size() >= highWater) {
            synchronized (lock) {
                if (!paused && queue.size() >= highWater) {
                    paused = true;
                    flow.pause();
                }
            }
            // The applier may have emptied the queue meanwhile and now waits for an item that can no
            // longer arrive: look again after pausing.
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
        if (paused && queue.size() <= highWater / 2) {
            synchronized (lock) {
                if (paused && queue.size() <= highWater / 2) {
                    paused = false;
                    flow.resume();
                }
            }
        }
    }

    /** True while reading is paused because the applier is behind. */
    boolean paused() {
        return paused;
    }

    int size() {
        return queue.size();
    }
}
