package dev.tidemark.chaos;

import dev.tidemark.client.ClientStoppedException;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application that embeds the client library, the way a user's service would: {@code TidemarkClient} with a
 * store by name, running until it stops for good. Run on the packaged CLI jar's class path (it carries the
 * library and the stores): {@code java -cp CLI_JAR:CHAOS_CLASSES dev.tidemark.chaos.LibraryClient --server URL
 * --client-id ID --token T --store NAME -S KEY=VALUE...}. Exits 3 when the store must be resynced, 1 when the
 * client failed.
 */
public final class LibraryClient {

    private LibraryClient() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("-S")) {
                String[] pair = args[i + 1].split("=", 2);
                settings.put(pair[0], pair[1]);
            } else {
                options.put(args[i], args[i + 1]);
            }
        }
        AtomicLong batches = new AtomicLong();
        try (TidemarkClient client = TidemarkClient.builder()
                .serverUrl(options.get("--server"))
                .clientId(options.get("--client-id"))
                .token(options.get("--token"))
                .store(options.getOrDefault("--store", "sqlite"), settings)
                .listener(new SyncListener() {
                    @Override
                    public void onBatchApplied(AppliedBatch batch) {
                        if (batches.incrementAndGet() % 100 == 0) {
                            System.out.println("library client: " + batches.get() + " batches, at " + batch.lsn());
                        }
                    }
                })
                .build()) {
            client.start();
            System.out.println("library client " + client.clientId() + " syncing into " + options.get("--store"));
            ClientStoppedException why = client.stopped().join();
            System.out.println("library client stopped: " + client.status().state() + ": " + why.getMessage());
            System.exit(switch (client.status().state()) {
                case RESYNC_REQUIRED -> 3;
                case CLOSED -> 0;
                default -> 1;
            });
        }
    }
}
