package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import java.util.Iterator;
import java.util.List;

/**
 * The changes of one batch, pulled one at a time by {@link SyncStore#apply(BatchHeader, ChangeSource)}.
 *
 * <p>A large source transaction reaches the client in several parts; the client hands the store a
 * source that yields the changes of part after part, waiting for the next part when needed, so
 * neither side holds the whole batch in memory. A source is read once, by one thread.
 *
 * <p>The changes are {@code update}, {@code delete}, {@code truncate} and {@code move}; see
 * {@link SyncStore} for what each does. A {@code move}'s previous id is
 * {@link Change#fromId()}, its new id {@link Change#entityId()}.
 */
@FunctionalInterface
public interface ChangeSource {

    /**
     * The next change, in commit order, or {@code null} when the batch has no more changes. May block
     * until the next part arrives.
     *
     * @throws ChangeSourceException when the batch cannot be completed (the connection was lost, a
     *     part failed its checksum); the store rolls back and rethrows it unchanged
     */
    Change next();

    /** A source over changes held in memory. */
    static ChangeSource of(List<Change> changes) {
        requireNonNull(changes, "changes is null");
        Iterator<Change> iterator = changes.iterator();
        return () -> iterator.hasNext() ? requireNonNull(iterator.next(), "a change is null") : null;
    }
}
