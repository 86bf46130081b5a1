package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import java.io.IOException;
import java.util.Map;

/**
 * The JVM of the kit's bounded-memory test: with a small heap, opens a store by name and applies one
 * batch whose changes add up to {@value #HEAPS} times that heap, pulled one at a time. Prints
 * {@code size n} before and {@code applied n} after. Launched by the kit; not for direct use.
 *
 * <p>Argument: the store name. The store's settings arrive on standard input ({@link ChildJvm}).
 */
public final class LargeBatchChild {

    static final int HEAPS = 2;

    private LargeBatchChild() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> config = ChildJvm.receiveSettings(System.in);
        int size = (int) (HEAPS * Runtime.getRuntime().maxMemory() / LargeBatch.CHANGE_BYTES);
        System.out.println("size " + size);
        System.out.flush();
        try (SyncStore store = SyncStores.open(args[0], config)) {
            ApplyResult result = store.apply(TckData.header(0, 1), LargeBatch.source(size));
            System.out.println((result.applied() ? "applied " : "unexpected ") + result);
            System.out.flush();
        }
        System.exit(0);
    }
}
