package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The JVM the kit's kill test kills: opens a store by name and applies kill-test batches in a loop,
 * as the client does (pending marker, then apply), printing {@code applied k} after each commit. With a
 * second argument {@code keep} and a store that can keep the marker, it records the marker
 * {@link Lsn#MAX} once and applies every batch with {@code applyKeepingPending}, as the client then does.
 * Launched by the kit with the test's class path; not for direct use.
 *
 * <p>Arguments: the store name, optionally {@code keep}. The store's settings arrive on standard input, never on the command
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
            boolean keep = args.length > 1 && args[1].equals("keep") && store.canKeepPending();
            if (keep) {
                store.recordPending(Lsn.MAX); // once; every commit keeps it
            }
            long k = KillTestBatches.batchNumber(store.committedLsn());
            out.println("ready " + k);
            out.flush();
            while (k < MAX_BATCHES) {
                k++;
                ChangeBatch batch = KillTestBatches.batch(k);
                ApplyResult result;
                if (keep) {
                    result = store.applyKeepingPending(BatchHeader.of(batch), ChangeSource.of(batch.changes()));
                } else {
                    store.recordPending(batch.lsn());
                    result = store.apply(BatchHeader.of(batch), ChangeSource.of(batch.changes()));
                }
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
