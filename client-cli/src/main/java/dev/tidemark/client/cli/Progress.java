package dev.tidemark.client.cli;

import dev.tidemark.client.status.SnapshotProgress;
import dev.tidemark.client.status.SyncStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** One progress line per call: state, committed and server LSN, lag, and the change rate since the last line. */
final class Progress {

    private long lastChanges;
    private long lastNanos;

    Progress(long startNanos) {
        this.lastNanos = startNanos;
    }

    String line(SyncStatus status, long nowNanos) {
        long changes = status.appliedChanges();
        double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        double rate = (changes - lastChanges) / seconds;
        lastChanges = changes;
        lastNanos = nowNanos;
        return String.format(Locale.ROOT, "%-13s committed %-12s server %-12s %s  %,.0f changes/s  %,d changes in %,d batches%s%s%s",
                status.state(), status.committedLsn(), status.serverLsn(), lagOrSnapshot(status), rate, changes,
                status.appliedBatches(), sourceLag(status), incomplete(status), node(status));
    }

    /** During a snapshot the byte lag says little: rows loaded of the estimated total say how far it is. */
    private static String lagOrSnapshot(SyncStatus status) {
        return status.snapshotProgress().map(Progress::snapshot).orElse("lag " + bytes(status.lagBytes()));
    }

    static String snapshot(SnapshotProgress snapshot) {
        String rows = String.format(Locale.ROOT, "%,d", snapshot.rowsReceived());
        String total = snapshot.rowsEstimated() == null ? ""
                : String.format(Locale.ROOT, " / ~%,d rows", snapshot.rowsEstimated());
        String percent = snapshot.fraction().map(f -> String.format(Locale.ROOT, " (%.0f%%)", f * 100)).orElse("");
        return "snapshot of " + String.join(", ", snapshot.entityTypes()) + ": " + rows
                + (total.isEmpty() ? " rows" : total) + percent;
    }

    /** The node connected to, or the one being tried: with several server URLs the client moves between them. */
    private static String node(SyncStatus status) {
        return status.serverNode().map(node -> (status.connected() ? "  on " : "  trying ") + node).orElse("");
    }

    private static String incomplete(SyncStatus status) {
        return status.incompleteEntityTypes().isEmpty() ? ""
                : "  incomplete on the server: " + String.join(", ", status.incompleteEntityTypes());
    }

    private static String sourceLag(SyncStatus status) {
        return status.sinceLastSourceCommit(Instant.now())
                .map(age -> "  last source commit " + age(age) + " ago")
                .orElse("");
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h";
    }
}
