package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.TableRefresh;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table refresh markers of the current history, kept in memory (there are few: one per table per
 * event), and the position up to which they are known. Sessions stream only up to {@link #loadedUpTo()}, so
 * none passes a marker it has not seen. On the node that captures, capture says which markers each of its
 * commits wrote ({@link #captured}), and the known position moves with the tip at no cost; otherwise (a node
 * that follows another's log, after a restart or a new history) when the tip moves the markers up to it are
 * loaded on the loader (one query per move, for all sessions), then the sessions are told. Thread-safe.
 */
final class RefreshIndex {

    private static final Logger log = LoggerFactory.getLogger(RefreshIndex.class);

    private final RefreshMarkers source;
    private final Executor loader;
    private final Runnable onLoaded;
    private final List<RefreshMarkers.Marker> markers = new ArrayList<>();
    private volatile Lsn loadedUpTo = Lsn.ZERO;
    private Lsn requested = Lsn.ZERO;
    private boolean loading;
    private int generation;

    /**
     * @param loader runs the loads, one at a time
     * @param onLoaded told (on the loader) when {@link #loadedUpTo()} moved
     */
    RefreshIndex(RefreshMarkers source, Executor loader, Runnable onLoaded) {
        this.source = requireNonNull(source, "source is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.onLoaded = requireNonNull(onLoaded, "onLoaded is null");
    }

    /** Every marker at or before it is known. */
    Lsn loadedUpTo() {
        return loadedUpTo;
    }

    /**
     * Capture's word for ({@code from}, {@code to}]: its commit wrote exactly {@code refreshes} there. Taken when it
     * continues what is known ({@code from} is {@link #loadedUpTo()}); otherwise ignored, and the markers are read
     * from the log when the tip moves. Never blocks.
     */
    void captured(Lsn from, Lsn to, List<TableRefresh> refreshes) {
        synchronized (this) {
            if (!loadedUpTo.equals(from) || !to.isAfter(from)) {
                return;
            }
            for (TableRefresh refresh : refreshes) {
                markers.add(new RefreshMarkers.Marker(refresh.lsn(), refresh.entityType()));
            }
            loadedUpTo = to;
            if (requested.isBefore(to)) {
                requested = to;
            }
        }
    }

    /**
     * The tip moved to {@code tip}: load the markers up to it, unless known. Never blocks.
     *
     * @return true when they are known already (the caller tells the sessions); false when a load will tell them
     */
    boolean request(Lsn tip) {
        synchronized (this) {
            if (!tip.isAfter(loadedUpTo)) {
                return true;
            }
            if (!tip.isAfter(requested)) {
                return false;
            }
            requested = tip;
            if (loading) {
                return false;
            }
            loading = true;
        }
        loader.execute(this::loadRequested);
        return false;
    }

    private void loadRequested() {
        while (true) {
            Lsn target;
            synchronized (this) {
                target = requested;
                if (!target.isAfter(loadedUpTo)) {
                    loading = false;
                    return;
                }
            }
            try {
                loadUpTo(target);
            } catch (RuntimeException e) {
                log.warn("could not read the table refresh markers up to {}; retrying with the next move of the"
                        + " log: {}", target, e.toString());
                synchronized (this) {
                    loading = false;
                    requested = loadedUpTo;
                }
                return;
            }
            onLoaded.run();
        }
    }

    /** Loads the markers up to {@code position} now, unless known. Blocking: call on a reader thread. */
    void loadUpTo(Lsn position) {
        Lsn from;
        int seen;
        synchronized (this) {
            from = loadedUpTo;
            seen = generation;
            if (!position.isAfter(from)) {
                return;
            }
        }
        List<RefreshMarkers.Marker> found = source.between(from, position);
        synchronized (this) {
            if (seen != generation || !loadedUpTo.equals(from)) {
                return;
            }
            markers.addAll(found);
            loadedUpTo = position;
        }
    }

    /** The markers of types {@code filter} receives with {@code after < lsn <= upTo}, in lsn order. */
    synchronized List<RefreshMarkers.Marker> within(Lsn after, Lsn upTo, EntityFilter filter) {
        List<RefreshMarkers.Marker> found = new ArrayList<>();
        for (RefreshMarkers.Marker marker : markers) {
            if (marker.lsn().isAfter(after) && !marker.lsn().isAfter(upTo) && filter.matches(marker.entityType())) {
                found.add(marker);
            }
        }
        return found;
    }

    /** A new history started: forget every marker; those of the new history load with the next request. */
    synchronized void reset() {
        generation++;
        markers.clear();
        loadedUpTo = Lsn.ZERO;
        requested = Lsn.ZERO;
    }
}
