package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.ChangeBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM the kit's kill test kills: opens a store by name and applies kill-test batches in a loop,
 * as the client does (pending marker, then apply), printing {@code applied k} after each commit.
 * Launched by the kit with the test's class path; not for direct use.
 *
 * <p>Arguments: the store name, then its settings as {@code key=value}. It exits by itself when its
 * standard input closes (the test JVM is gone) or after {@value #MAX_BATCHES} batches.
 */
public final class KillTestChild {

    static final int MAX_BATCHES = 100_000;

    private KillTestChild() {}

    public static void main(String[] args) {
        watchParent(System.in);
        Map<String, String> config = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        PrintStream out = System.out;
        try (SyncStore store = SyncStores.open(args[0], config)) {
            long k = KillTestBatches.batchNumber(store.committedLsn());
            out.println("ready " + k);
            out.flush();
            while (k < MAX_BATCHES) {
                k++;
                ChangeBatch batch = KillTestBatches.batch(k);
                store.recordPending(batch.lsn());
                ApplyResult result = store.apply(BatchHeader.of(batch), ChangeSource.of(batch.changes()));
                if (!result.applied()) {
                    out.println("unexpected " + result + " for batch " + k);
                    out.flush();
                    System.exit(2);
                }
                out.println("applied " + k);
                out.flush();
            }
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Ends this JVM when the parent goes away, so no orphan keeps writing. */
    private static void watchParent(InputStream in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // the parent writes nothing; read until end of stream
                }
            } catch (IOException e) {
                // treat like end of stream
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
