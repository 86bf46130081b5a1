package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.ChangeBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The JVM the kit's kill test kills: opens a store by name and applies kill-test batches in a loop,
 * as the client does (pending marker, then apply), printing {@code applied k} after each commit.
 * Launched by the kit with the test's class path; not for direct use.
 *
 * <p>Argument: the store name. The store's settings arrive on standard input, never on the command
 * line ({@link ChildJvm}). It exits by itself when its standard input closes (the test JVM is gone)
 * or after {@value #MAX_BATCHES} batches.
 */
public final class KillTestChild {

    static final int MAX_BATCHES = 100_000;

    private KillTestChild() {}

    public static void main(String[] args) {
        Map<String, String> config;
        try {
            config = ChildJvm.receiveSettings(System.in);
        } catch (IOException e) {
            e.printStackTrace();
            System.exit(4);
            return;
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
}
