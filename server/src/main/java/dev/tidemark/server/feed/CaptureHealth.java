package dev.tidemark.server.feed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether the captured data is complete right now: the tables that should be captured but are not
 * (excluded because they cannot be captured correctly, or not yet captured correctly), and whether
 * capture is stalled. Implemented by capture, read by the hub (to tell clients that their view is
 * incomplete), by {@code /readyz}, by the metrics and by {@code status}. Thread-safe; every method is
 * cheap (no database access).
 */
public interface CaptureHealth {

    /** Health that never reports a problem, for a server without capture (tests, tools). */
    CaptureHealth COMPLETE = new CaptureHealth() {
        @Override
        public List<TableProblem> problems() {
            return List.of();
        }

        @Override
        public Optional<String> stalled() {
            return Optional.empty();
        }
    };

    /** The tables that should be captured but are not captured correctly now, one problem each. */
    List<TableProblem> problems();

    /**
     * Why capture is stalled, when it is: no progress while the source's WAL moves, or the replication
     * reader or the change-log writer failing. Empty while capture keeps up.
     */
    Optional<String> stalled();

    /**
     * The entity types whose captured history is incomplete now (those of {@link #problems()}): a client
     * holding such a type does not hold the source's data.
     */
    default Set<String> incompleteEntityTypes() {
        TreeSet<String> types = new TreeSet<>();
        for (TableProblem problem : problems()) {
            types.add(problem.entityType());
        }
        return Collections.unmodifiableSet(types);
    }

    /**
     * This node's part in capture, for {@code /readyz} and {@code status}: "this node leads capture ..." or "this
     * node is a standby ...", naming the leader. Empty when unknown (a server without capture).
     */
    default Optional<String> role() {
        return Optional.empty();
    }

    /** Whether every table that should be captured is, and capture is not stalled. */
    default boolean complete() {
        return problems().isEmpty() && stalled().isEmpty();
    }

    /** One line per problem (and the stall, if any), for {@code /readyz}, logs and {@code status}. */
    default List<String> describe() {
        List<String> lines = new ArrayList<>();
        stalled().ifPresent(reason -> lines.add("capture is stalled: " + reason));
        for (TableProblem problem : problems()) {
            lines.add(problem.describe());
        }
        return List.copyOf(lines);
    }
}
