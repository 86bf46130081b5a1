package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import java.util.UUID;

/**
 * The store's record of a resync, kept in store metadata so it survives a crash:
 * <ul>
 *   <li>{@value #MARKER}: {@code "<snapshotLsn> <nonce>"} while a snapshot is being loaded, empty otherwise.
 *       A marker found at startup means the resync was interrupted: unless the snapshot was committed and
 *       its checksum offset recorded, the store starts over (empty, at {@code 0/0}), so it never claims to be
 *       complete when it is not.</li>
 *   <li>{@value #OFFSET}: {@code "<nonce> <hex>"} — what to add to the store's running checksum (which counts
 *       only the snapshot's changes and what followed) to get the server's checksum over the whole history;
 *       {@code "<nonce> unknown"} when the server could not tell. Absent or empty: 0. A third field names the
 *       last per-table snapshot batch ({@value #TABLE_SNAPSHOT}'s id) whose contribution it holds, so recording
 *       it again after a failure adds nothing.</li>
 * </ul>
 * Used on the applier thread only.
 */
final class ResyncLedger {

    static final String MARKER = "tidemark.resync";
    static final String OFFSET = "tidemark.checksum-offset";
    /**
     * {@code "<lsn> <checksum before, hex> <logChecksum, hex or unknown> <id>"} while a per-table snapshot batch
     * ending at {@code lsn} is being applied: once it is committed, its contribution to the offset is
     * {@code logChecksum - (committedChecksum - before)}, and {@value #OFFSET} names the id once it holds it.
     * Empty otherwise.
     */
    static final String TABLE_SNAPSHOT = "tidemark.table-snapshot";

    private final SyncStore store;
    /** A per-table snapshot batch was applied on this run and its offset is not recorded yet (its record is set). */
    private boolean tableSnapshotOpen;
    /** A resync snapshot committed on this run whose offset and marker could not be recorded yet, or null. */
    private Lsn loadedUnrecorded;
    private Lsn snapshotLsn;
    private String nonce;
    private Long serverChecksum;

    ResyncLedger(SyncStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /**
     * The startup check. A finished resync whose marker was not yet cleared is completed; an interrupted one
     * starts over: the store is emptied at {@code 0/0} in its history.
     *
     * @return what was found, for the log, or empty when no resync was under way
     */
    Optional<String> recoverAtStartup() {
        String marker = store.metadata(MARKER).orElse("");
        if (marker.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = marker.split(" ", 2);
        Lsn position = Lsn.parse(parts[0]);
        String markerNonce = parts.length > 1 ? parts[1] : "";
        if (store.committedLsn().equals(position) && store.metadata(OFFSET).orElse("").startsWith(markerNonce + " ")) {
            store.putMetadata(MARKER, "");
            return Optional.of("the resync snapshot at " + position + " was complete; resync marker cleared");
        }
        Optional<String> history = store.historyId();
        history.ifPresent(store::resetHistory);
        store.putMetadata(OFFSET, "");
        store.putMetadata(MARKER, "");
        return Optional.of("a resync (snapshot at " + position + ") was interrupted before it completed: the store"
                + " was emptied and starts over at 0/0; the server sends a new snapshot");
    }

    /**
     * The startup check of a per-table snapshot batch: committed, its offset is recorded now; not committed,
     * the record goes.
     */
    Optional<String> recoverTableSnapshot() {
        String record = store.metadata(TABLE_SNAPSHOT).orElse("");
        if (record.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = record.split(" ");
        Lsn lsn = Lsn.parse(parts[0]);
        if (store.committedLsn().equals(lsn)) {
            finishTableSnapshot();
            return Optional.of("the snapshot batch at " + lsn + " was committed; its checksum offset is recorded");
        }
        store.putMetadata(TABLE_SNAPSHOT, "");
        return Optional.of("the snapshot batch at " + lsn + " was not committed; it is sent again");
    }

    /** A per-table snapshot batch ending at {@code lsn} is about to be applied. */
    void beginTableSnapshot(Lsn lsn, Long logChecksum) {
        store.putMetadata(TABLE_SNAPSHOT, lsn + " " + Checksum.toHex(store.committedChecksum()) + " "
                + (logChecksum == null ? "unknown" : Checksum.toHex(logChecksum)) + " "
                + UUID.randomUUID().toString().substring(0, 8));
        tableSnapshotOpen = true;
    }

    /**
     * Records what a snapshot committed on this run left unrecorded because the store failed after its commit (a
     * full disk, say): a per-table snapshot batch's checksum offset, or a resync snapshot's offset and the clearing
     * of its marker. Called before anything else is applied or verified, so the store is still at the snapshot's
     * position; throws again while the store still fails.
     */
    void finishUnrecordedSnapshots() {
        if (tableSnapshotOpen) {
            finishTableSnapshot();
        }
        if (loadedUnrecorded != null) {
            if (store.committedLsn().equals(loadedUnrecorded)) {
                recordResync();
            }
            loadedUnrecorded = null;
        } else if (snapshotLsn != null && store.committedLsn().equals(snapshotLsn)) {
            finishIfLoaded();
        }
    }

    /**
     * After the apply: when the batch is committed, adds its contribution to the checksum offset, so the verify
     * checksum stays the log's; otherwise forgets the record (the batch is sent again). Safe to repeat: an
     * offset that already holds this batch's contribution is not changed.
     */
    void finishTableSnapshot() {
        String record = store.metadata(TABLE_SNAPSHOT).orElse("");
        if (record.isEmpty()) {
            tableSnapshotOpen = false;
            return;
        }
        String[] parts = record.split(" ");
        if (store.committedLsn().equals(Lsn.parse(parts[0]))) {
            String[] offset = offsetFields();
            String id = parts.length > 3 ? parts[3] : "";
            boolean recorded = !id.isEmpty() && offset.length > 2 && offset[2].equals(id);
            if (!recorded) {
                String nonce = offset.length == 0 ? "table" : offset[0];
                String tag = id.isEmpty() ? "" : " " + id;
                boolean unknown = parts[2].equals("unknown") || (offset.length > 1 && offset[1].equals("unknown"));
                if (unknown) {
                    store.putMetadata(OFFSET, nonce + " unknown" + tag);
                } else {
                    long current = offset.length < 2 ? 0 : Checksum.fromHex(offset[1]);
                    long applied = store.committedChecksum() - Checksum.fromHex(parts[1]);
                    store.putMetadata(OFFSET, nonce + " " + Checksum.toHex(current + Checksum.fromHex(parts[2]) - applied)
                            + tag);
                }
            }
        }
        store.putMetadata(TABLE_SNAPSHOT, "");
        tableSnapshotOpen = false;
    }

    /** The fields of {@value #OFFSET}: none when it is absent or empty. */
    private String[] offsetFields() {
        String offset = store.metadata(OFFSET).orElse("");
        return offset.isEmpty() ? new String[0] : offset.split(" ");
    }

    /** True while a snapshot is being loaded on this run. */
    boolean inProgress() {
        return snapshotLsn != null;
    }

    /** The snapshot's position while {@link #inProgress()}. */
    Lsn snapshotLsn() {
        return snapshotLsn;
    }

    /**
     * Marks the store as resyncing and empties it in {@code historyId}; the snapshot batch follows.
     *
     * @param serverChecksum the server's checksum through {@code position}, or null when it cannot tell
     */
    void begin(String historyId, Lsn position, Long serverChecksum) {
        this.nonce = UUID.randomUUID().toString().substring(0, 8);
        store.putMetadata(MARKER, position + " " + nonce);
        store.resetHistory(historyId);
        store.putMetadata(OFFSET, "");
        this.snapshotLsn = position;
        this.serverChecksum = serverChecksum;
    }

    /**
     * Finishes the resync if the snapshot is committed: records the checksum offset, then clears the marker.
     *
     * @return true when it finished now
     */
    boolean finishIfLoaded() {
        if (snapshotLsn == null || !store.committedLsn().equals(snapshotLsn)) {
            return false;
        }
        recordResync();
        snapshotLsn = null;
        return true;
    }

    /** Records the committed resync snapshot's checksum offset, then clears the marker. */
    private void recordResync() {
        String offset = serverChecksum == null ? "unknown"
                : Checksum.toHex(serverChecksum - store.committedChecksum());
        store.putMetadata(OFFSET, nonce + " " + offset);
        store.putMetadata(MARKER, "");
    }

    /**
     * The snapshot will not arrive on this connection (it closed, or the snapshot failed). The store is empty
     * at {@code 0/0} (the snapshot applies atomically or not at all): an honest new store, so the marker goes.
     * A snapshot that was committed but not recorded (the store failed after its commit) is recorded before
     * anything else ({@link #finishUnrecordedSnapshots()}).
     */
    void abandon() {
        if (snapshotLsn != null && store.committedLsn().equals(snapshotLsn)) {
            loadedUnrecorded = snapshotLsn;
        } else if (snapshotLsn != null && store.committedLsn().equals(Lsn.ZERO)) {
            store.putMetadata(MARKER, "");
        }
        snapshotLsn = null;
    }

    /** The checksum to send with {@code sync_verify}, or null when it is not known (see {@value #OFFSET}). */
    Long verifyChecksum() {
        finishUnrecordedSnapshots();
        long applied = store.committedChecksum();
        String[] parts = offsetFields();
        if (parts.length == 0) {
            return applied;
        }
        if (parts.length < 2 || parts[1].equals("unknown")) {
            return null;
        }
        return applied + Checksum.fromHex(parts[1]);
    }
}
