package dev.tidemark.server.hub;

import dev.tidemark.server.feed.CaptureHealth;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which of a client's entity types capture cannot capture correctly now, and what the client was last told of
 * them ({@code welcome}, then {@code capture_status} when it changes). Runs on the session's thread.
 */
final class IncompleteTypes {

    private final CaptureHealth health;
    private final EntityFilter filter;
    /** What the client was last told, or null before {@code welcome}. */
    private List<String> told;

    IncompleteTypes(CaptureHealth health, EntityFilter filter) {
        this.health = health;
        this.filter = filter;
    }

    /** The types to name in {@code welcome}; from now on changes are reported. */
    List<String> forWelcome() {
        told = now();
        return told;
    }

    /** The types to name in a {@code capture_status}, when they changed since the client was last told. */
    Optional<List<String>> changed() {
        if (told == null) {
            return Optional.empty();
        }
        List<String> now = now();
        if (now.equals(told)) {
            return Optional.empty();
        }
        told = now;
        return Optional.of(now);
    }

    private List<String> now() {
        return new TreeSet<>(health.incompleteEntityTypes()).stream().filter(filter::matches).toList();
    }
}
