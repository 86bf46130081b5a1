package dev.tidemark.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SnapshotProgress;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A progress line")
class ProgressTest {

    @Test
    @DisplayName("shows state, positions, lag and the change rate since the last line")
    void line() {
        Progress progress = new Progress(0);
        SyncStatus status = new SyncStatus(ClientState.CONNECTED, "c", "h", Lsn.parse("0/1000"),
                Lsn.parse("0/101000"), 40, 12_000, null);
        String line = progress.line(status, 2_000_000_000L);
        assertThat(line).startsWith("CONNECTED").contains("committed 0/1000", "server 0/101000", "lag 1.0 MiB",
                "6,000 changes/s", "12,000 changes in 40 batches");
        SyncStatus later = new SyncStatus(ClientState.CONNECTED, "c", "h", Lsn.parse("0/101000"),
                Lsn.parse("0/101000"), 50, 13_000, null);
        assertThat(progress.line(later, 3_000_000_000L)).contains("lag 0 B", "1,000 changes/s");
    }

    @Test
    @DisplayName("shows snapshot progress instead of the byte lag, and the types the server cannot capture")
    void snapshotAndIncomplete() {
        Progress progress = new Progress(0);
        SyncStatus status = new SyncStatus(ClientState.CONNECTED, "c", "h", Lsn.parse("0/1000"),
                Lsn.parse("0/C800000"), 1, 120_000, null, List.of("orders"),
                new SnapshotProgress(List.of("sales.orders"), 120_000, 300_000L));
        assertThat(progress.line(status, 1_000_000_000L))
                .contains("snapshot of sales.orders: 120,000 / ~300,000 rows (40%)", "incomplete on the server: orders")
                .doesNotContain("lag 200.0 MiB");
        assertThat(Progress.snapshot(new SnapshotProgress(List.of("a"), 5, null))).isEqualTo("snapshot of a: 5 rows");
    }

    @Test
    @DisplayName("names the node connected to, or the one being tried")
    void node() {
        Progress progress = new Progress(0);
        java.net.URI node = java.net.URI.create("ws://b:7070/sync");
        SyncStatus connected = new SyncStatus(ClientState.CONNECTED, "c", "h", Lsn.parse("0/1000"),
                Lsn.parse("0/1000"), 1, 1, null, List.of(), null, node);
        assertThat(progress.line(connected, 1_000_000_000L)).endsWith("  on ws://b:7070/sync");
        SyncStatus backingOff = new SyncStatus(ClientState.BACKING_OFF, "c", "h", Lsn.parse("0/1000"),
                Lsn.parse("0/1000"), 1, 1, null, List.of(), null, node);
        assertThat(progress.line(backingOff, 2_000_000_000L)).endsWith("  trying ws://b:7070/sync");
        SyncStatus none = new SyncStatus(ClientState.NEW, "c", null, Lsn.ZERO, Lsn.ZERO, 0, 0, null);
        assertThat(progress.line(none, 3_000_000_000L)).doesNotContain(" on ", "trying");
    }

    @Test
    @DisplayName("prints sizes in binary units")
    void bytes() {
        assertThat(Progress.bytes(1023)).isEqualTo("1023 B");
        assertThat(Progress.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Progress.bytes(5L << 30)).isEqualTo("5.0 GiB");
    }
}
