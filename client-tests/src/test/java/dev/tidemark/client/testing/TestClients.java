package dev.tidemark.client.testing;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared set-up for the client's tests: real SQLite stores, clients with short reconnect delays. */
final class TestClients {

    private TestClients() {}

    /** A real SQLite store in {@code file}. */
    static SyncStore sqlite(Path file) {
        return SyncStores.open("sqlite", Map.of("path", file.toString()));
    }

    /** A client of {@code server} syncing into {@code store}, reconnecting after 20 to 200 ms. */
    static TidemarkClient.Builder client(ScriptedServer server, SyncStore store) {
        return TidemarkClient.builder()
                .serverUri(server.uri())
                .store(store)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** Collects the errors a client reports. */
    static final class Errors implements SyncListener {
        final List<SyncError> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onError(SyncError error) {
            seen.add(error);
        }

        List<SyncError.Kind> kinds() {
            return seen.stream().map(SyncError::kind).toList();
        }
    }
}
