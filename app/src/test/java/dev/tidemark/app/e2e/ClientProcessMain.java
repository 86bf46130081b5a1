package dev.tidemark.app.e2e;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncListener;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A client in its own JVM, for the kill -9 test: syncs into a SQLite file and prints each committed
 * LSN, until it is killed. Arguments: server URL, token, client id, SQLite path.
 */
public final class ClientProcessMain {

    private ClientProcessMain() {}

    public static void main(String[] args) throws InterruptedException {
        TidemarkClient client = TidemarkClient.builder()
                .serverUrl(args[0])
                .token(args[1])
                .clientId(args[2])
                .store("sqlite", Map.of("path", args[3]))
                .listener(new SyncListener() {
                    @Override
                    public void onStateChanged(ClientState previous, ClientState current) {
                        System.out.println("state " + current);
                        System.out.flush();
                    }

                    @Override
                    public void onBatchApplied(AppliedBatch batch) {
                        System.out.println("applied " + batch.lsn());
                        System.out.flush();
                    }
                })
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(client::close));
        new CountDownLatch(1).await();
    }
}
