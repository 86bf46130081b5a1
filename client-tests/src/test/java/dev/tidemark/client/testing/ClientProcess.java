package dev.tidemark.client.testing;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncListener;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client in a JVM of its own, for the kill -9 test: syncs the server at {@code args[0]} into the
 * SQLite file {@code args[1]}; with {@code args[2] = "until-caught-up"} it closes and exits once it
 * has caught up, otherwise it runs until killed.
 */
public final class ClientProcess {

    private ClientProcess() {}

    public static void main(String[] args) throws Exception {
        URI server = URI.create(args[0]);
        Path file = Path.of(args[1]);
        boolean untilCaughtUp = args.length > 2 && args[2].equals("until-caught-up");
        SyncStore store = TestClients.sqlite(file);
        TidemarkClient client = TidemarkClient.builder()
                .serverUri(server)
                .store(store)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .listener(new SyncListener() {
                    @Override
                    public void onBatchApplied(AppliedBatch batch) {
                        System.out.println("applied " + batch.lsn());
                    }
                })
                .build()
                .start();
        System.out.println("started as " + client.clientId());
        if (untilCaughtUp) {
            client.caughtUp().join();
            client.close();
            store.close();
            System.out.println("caught up");
            System.exit(0);
        }
    }
}
