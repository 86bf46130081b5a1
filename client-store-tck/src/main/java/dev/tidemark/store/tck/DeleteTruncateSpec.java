package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.TIME;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.truncate;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Deletes and truncates of an entity type.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class DeleteTruncateSpec extends StoreSpec {

    /** Entity types whose names look alike, so that prefix or pattern matching shows up. */
    private static final List<String> LOOKALIKES = List.of("order", "order_item", "order.line", "Order", "orde", "or%", "order ");

    @Test
    @DisplayName("delete removes the entity, and deleting an absent entity is not an error")
    public void deleteRemoves() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1}"), update("tck.item", "2", "{\"a\":2}")));
        applied(batch(1, 2, delete("tck.item", "1"), delete("tck.item", "never-existed"),
                Change.delete("tck.item", "2", "{\"id\":2}", TIME)));

        assertThat(store().get("tck.item", "1")).isEmpty();
        assertThat(store().get("tck.item", "2")).as("a delete carrying its key columns as data").isEmpty();
        assertThat(store().count("tck.item")).isZero();
    }

    @Test
    @DisplayName("delete removes one entity of one type only")
    public void deleteIsPrecise() {
        applied(batch(0, 1, update("tck.item", "1", "{}"), update("tck.item", "10", "{}"),
                update("tck.other", "1", "{}")));
        applied(batch(1, 2, delete("tck.item", "1")));
        assertThat(store().get("tck.item", "10")).isPresent();
        assertThat(store().get("tck.other", "1")).isPresent();
    }

    @Test
    @DisplayName("truncate removes every entity of its type, and only of its type")
    public void truncateRemovesOneType() {
        for (int i = 0; i < LOOKALIKES.size(); i++) {
            String type = LOOKALIKES.get(i);
            applied(batch(i, i + 1, update(type, "1", "{}"), update(type, "2", "{}")));
        }
        int n = LOOKALIKES.size();
        applied(batch(n, n + 1, truncate("order")));

        assertThat(store().count("order")).isZero();
        for (String type : LOOKALIKES.subList(1, n)) {
            assertThat(store().count(type)).as("entities of '%s'", type).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("truncate followed by updates in one batch leaves only the new entities")
    public void truncateThenUpdate() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1}"), update("tck.item", "2", "{\"a\":2}")));
        applied(batch(1, 2, update("tck.item", "3", "{\"a\":3}"), truncate("tck.item"),
                update("tck.item", "2", "{\"b\":2}")));

        assertThat(store().count("tck.item")).isEqualTo(1);
        assertEntity(store().get("tck.item", "2"), "{\"b\":2}");
    }

    @Test
    @DisplayName("truncate of a type with no entities is not an error")
    public void truncateOfNothing() {
        applied(batch(0, 1, truncate("tck.never-seen")));
        assertThat(store().count("tck.never-seen")).isZero();
    }
}
