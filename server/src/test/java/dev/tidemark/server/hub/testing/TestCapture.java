package dev.tidemark.server.hub.testing;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LoggedChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plays the capture for hub tests: appends transactions to the change log through the SPI, moving the
 * capture position in the same step, then publishes the range on the feed, as the real capture does.
 * Thread-safe.
 */
public final class TestCapture {

    private static final long STEP = 0x100;

    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private Lsn position;
    private long xid = 1000;
    private boolean tellsMarkers = true;

    public TestCapture(ChangeLog changeLog, ChangeFeed feed) {
        this.changeLog = changeLog;
        this.feed = feed;
        this.position = changeLog.state().orElseThrow().capturePosition();
    }

    /**
     * Table refresh markers for {@code entityTypes} at a new position (as capture writes them when a table
     * enters the capture set), appended with the position that covers them and published.
     */
    public synchronized Lsn refresh(String... entityTypes) {
        Lsn from = position;
        Lsn lsn = next(from);
        List<dev.tidemark.server.spi.TableRefresh> markers = new ArrayList<>();
        for (String type : entityTypes) {
            markers.add(new dev.tidemark.server.spi.TableRefresh(lsn, type, "test"));
        }
        changeLog.append(List.of(), markers, Optional.of(lsn));
        position = lsn;
        feed.publish(new CapturedRange(from, lsn, List.of(), true, markers(markers)));
        return lsn;
    }

    /**
     * Whether published ranges carry the refresh markers their append wrote, as the capture does (the default);
     * false publishes them without, as a node following another's log does: the hub then reads the markers.
     */
    public synchronized void tellsMarkers(boolean tells) {
        tellsMarkers = tells;
    }

    private Optional<List<dev.tidemark.server.spi.TableRefresh>> markers(
            List<dev.tidemark.server.spi.TableRefresh> written) {
        return tellsMarkers ? Optional.of(written) : Optional.empty();
    }

    /** The capture position. */
    public synchronized Lsn position() {
        return position;
    }

    /** One transaction of {@code count} updates of {@code entityType}, ids {@code prefix0..}, committed and published. */
    public synchronized Lsn commit(String entityType, String prefix, int count) {
        return commit(updates(entityType, prefix, count));
    }

    /** One transaction holding {@code changes}, committed and published as a complete range. */
    public synchronized Lsn commit(List<Change> changes) {
        return commitTransactions(List.of(changes));
    }

    /** Several transactions in one capture commit (one range). Returns the new capture position. */
    public synchronized Lsn commitTransactions(List<List<Change>> transactions) {
        Lsn from = position;
        List<LoggedChange> rows = new ArrayList<>();
        Lsn lsn = from;
        for (List<Change> tx : transactions) {
            lsn = next(lsn);
            rows.addAll(rows(lsn, tx));
        }
        changeLog.append(rows, Optional.of(lsn));
        position = lsn;
        feed.publish(new CapturedRange(from, lsn, rows, true, markers(List.of())));
        return lsn;
    }

    /**
     * One large transaction written in chunks without the position, then the position: published as an
     * incomplete range, as the capture does for transactions it does not hold in memory.
     */
    public synchronized Lsn commitInChunks(List<Change> changes, int chunkSize) {
        Lsn from = position;
        Lsn lsn = next(from);
        List<LoggedChange> rows = rows(lsn, changes);
        for (int start = 0; start < rows.size(); start += chunkSize) {
            int end = Math.min(rows.size(), start + chunkSize);
            changeLog.append(rows.subList(start, end), end == rows.size() ? Optional.of(lsn) : Optional.empty());
        }
        position = lsn;
        feed.publish(new CapturedRange(from, lsn, List.of(), false, markers(List.of())));
        return lsn;
    }

    /**
     * Starts a large transaction written ahead of its end, as capture writes one it receives in pieces: {@link
     * LargeTransaction#writeAhead} logs and publishes each chunk without the position, {@link
     * LargeTransaction#finish} the rest with the position.
     */
    public synchronized LargeTransaction beginLarge() {
        return new LargeTransaction(next(position), xid++);
    }

    /** A transaction being written in chunks ahead of its end; see {@link #beginLarge()}. */
    public final class LargeTransaction {
        private final Lsn lsn;
        private final long id;
        private int seq;

        private LargeTransaction(Lsn lsn, long id) {
            this.lsn = lsn;
            this.id = id;
        }

        /** Its commit LSN. */
        public Lsn lsn() {
            return lsn;
        }

        /** Logs {@code changes} as the transaction's next chunk, without the position, and publishes the chunk. */
        public void writeAhead(List<Change> changes) {
            synchronized (TestCapture.this) {
                List<LoggedChange> rows = numbered(changes);
                changeLog.append(rows, Optional.empty());
                feed.publishChunk(new dev.tidemark.server.feed.LoggedChunk(position, lsn, rows));
            }
        }

        /**
         * Logs the rest with the position (the transaction is whole) and publishes the incomplete range; with table
         * refresh markers at its LSN for {@code refreshedTypes}, as capture writes them for a table whose shape the
         * transaction changed.
         */
        public Lsn finish(List<Change> rest, String... refreshedTypes) {
            synchronized (TestCapture.this) {
                Lsn from = position;
                List<dev.tidemark.server.spi.TableRefresh> written = new ArrayList<>();
                for (String type : refreshedTypes) {
                    written.add(new dev.tidemark.server.spi.TableRefresh(lsn, type, "test"));
                }
                changeLog.append(numbered(rest), written, Optional.of(lsn));
                position = lsn;
                feed.publish(new CapturedRange(from, lsn, List.of(), false, markers(written)));
                return lsn;
            }
        }

        private List<LoggedChange> numbered(List<Change> changes) {
            List<LoggedChange> rows = new ArrayList<>(changes.size());
            for (Change change : changes) {
                rows.add(new LoggedChange(lsn, seq++, id, change));
            }
            return rows;
        }
    }

    /** Commits without telling the feed: only the log knows (the hub must find it by reading). */
    public synchronized Lsn commitUnpublished(List<Change> changes) {
        Lsn lsn = next(position);
        changeLog.append(rows(lsn, changes), Optional.of(lsn));
        position = lsn;
        return lsn;
    }

    /** Moves the capture position without changes (a heartbeat), published as an empty complete range. */
    public synchronized Lsn heartbeat() {
        Lsn from = position;
        Lsn lsn = next(from);
        changeLog.append(List.of(), Optional.of(lsn));
        position = lsn;
        feed.publish(new CapturedRange(from, lsn, List.of(), true, markers(List.of())));
        return lsn;
    }

    /** {@code count} updates of {@code entityType} with ids {@code prefix0..}. */
    public static List<Change> updates(String entityType, String prefix, int count) {
        List<Change> changes = new ArrayList<>(count);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            changes.add(Change.update(entityType, prefix + i, "{\"id\":\"" + prefix + i + "\",\"n\":" + i + "}", now));
        }
        return changes;
    }

    private List<LoggedChange> rows(Lsn lsn, List<Change> changes) {
        long id = xid++;
        List<LoggedChange> rows = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            rows.add(new LoggedChange(lsn, i, id, changes.get(i)));
        }
        return rows;
    }

    private static Lsn next(Lsn lsn) {
        return Lsn.of(lsn.value() + STEP);
    }
}
