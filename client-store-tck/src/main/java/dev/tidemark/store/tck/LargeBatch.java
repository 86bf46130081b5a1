package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;

/**
 * The batch of the bounded-memory test: {@code size} updates of {@value #ENTITIES} entities, each
 * carrying about 4 KB, made one at a time as the store pulls them — so the stream is several times
 * the child JVM's heap while the store's contents stay small.
 */
final class LargeBatch {

    static final String TYPE = "tck.large";
    static final int ENTITIES = 64;
    static final int CHANGE_BYTES = 4096;

    private static final String PAD = "0123456789abcdef".repeat(CHANGE_BYTES / 16 - 4);

    private LargeBatch() {}

    static Change change(int i) {
        return TckData.update(TYPE, id(i % ENTITIES), "{\"i\":" + i + ",\"pad\":\"" + PAD + "\"}");
    }

    static String id(int entity) {
        return "large-" + entity;
    }

    /** A source of the first {@code size} changes, made on demand. */
    static ChangeSource source(int size) {
        return new ChangeSource() {
            private int next;

            @Override
            public Change next() {
                return next < size ? change(next++) : null;
            }
        };
    }

    static long checksum(int size) {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += Checksum.of(change(i));
        }
        return sum;
    }

    /** The data entity {@code entity} holds after {@code size} changes. */
    static String expected(int entity, int size) {
        int last = size - 1 - Math.floorMod(size - 1 - entity, ENTITIES);
        return change(last).data();
    }
}
