package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts steps in their declared order and stops the started ones in reverse. A step that fails to start
 * stops every step started before it, then the failure is rethrown; a step that fails to stop is logged
 * and the others still stop.
 */
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /**
     * One part of the server.
     *
     * @param name what it is, for logs and listeners
     * @param start starts it
     * @param stop stops it; called only when {@code start} returned
     */
    public record Step(String name, Runnable start, AutoCloseable stop) {

        public Step {
            requireNonNull(name, "name is null");
            requireNonNull(start, "start is null");
            requireNonNull(stop, "stop is null");
        }
    }

    /** Told of each step that started or stopped. */
    public interface Listener {

        /** A listener that does nothing. */
        Listener NONE = new Listener() {};

        default void started(String step) {}

        default void stopped(String step) {}
    }

    private final List<Step> steps;
    private final Listener listener;
    private final Deque<Step> started = new ArrayDeque<>();

    public Lifecycle(List<Step> steps, Listener listener) {
        this.steps = List.copyOf(steps);
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** The step names in start order. */
    public List<String> order() {
        return steps.stream().map(Step::name).toList();
    }

    /** Starts every step in order; on failure stops what started and rethrows. */
    public synchronized void start() {
        for (Step step : steps) {
            try {
                step.start().run();
            } catch (RuntimeException e) {
                stop();
                throw e;
            }
            started.push(step);
            listener.started(step.name());
        }
    }

    /** Stops the started steps, last started first. */
    public synchronized void stop() {
        while (!started.isEmpty()) {
            Step step = started.pop();
            try {
                step.stop().close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", step.name(), e.toString(), e);
            }
            listener.stopped(step.name());
        }
    }
}
