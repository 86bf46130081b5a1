package dev.tidemark.server.feed;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail: capture publishes each committed range here and the hub listens, so live clients are
 * fed without polling the change log. Thread-safe.
 */
public final class ChangeFeed {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    private final List<CaptureListener> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(CaptureListener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(CaptureListener listener) {
        listeners.remove(listener);
    }

    /** Tells every listener of a chunk written ahead of its transaction's end; as {@link #publish}. */
    public void publishChunk(LoggedChunk chunk) {
        for (CaptureListener listener : listeners) {
            try {
                listener.onChunk(chunk);
            } catch (RuntimeException e) {
                log.error("capture listener {} failed on a chunk of transaction {}", listener, chunk.lsn(), e);
            }
        }
    }

    /** Tells every listener; one failing listener does not keep the range from the others. */
    public void publish(CapturedRange range) {
        for (CaptureListener listener : listeners) {
            try {
                listener.onCaptured(range);
            } catch (RuntimeException e) {
                log.error("capture listener {} failed on range ({}, {}]", listener, range.from(), range.to(), e);
            }
        }
    }
}
