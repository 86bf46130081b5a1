package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.truncate;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: An update merges into the stored entity.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class MergeSpec extends StoreSpec {

    @Test
    @DisplayName("creates an absent entity from the update's data")
    public void createsAbsentEntities() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1,\"b\":\"x\"}")));
        assertEntity(store().get("tck.item", "1"), "{\"a\":1,\"b\":\"x\"}");
    }

    @Test
    @DisplayName("keeps the stored value of every member absent from the update")
    public void keepsAbsentMembers() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1,\"b\":\"x\",\"big\":\"" + "t".repeat(5000) + "\"}")));
        applied(batch(1, 2, update("tck.item", "1", "{\"b\":\"y\",\"c\":[1,2]}")));
        assertEntity(store().get("tck.item", "1"),
                "{\"a\":1,\"b\":\"y\",\"c\":[1,2],\"big\":\"" + "t".repeat(5000) + "\"}");
    }

    @Test
    @DisplayName("sets a member whose value in the update is null to null, and keeps it present")
    public void setsNullMembersToNull() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1,\"b\":2}")));
        applied(batch(1, 2, update("tck.item", "1", "{\"a\":null}")));

        String stored = store().get("tck.item", "1").orElseThrow();
        assertEntity(store().get("tck.item", "1"), "{\"a\":null,\"b\":2}");
        assertThat(JsonAssert.parse(stored).has("a")).as("member 'a' is still present in %s", stored).isTrue();
    }

    @Test
    @DisplayName("replaces nested objects and arrays whole instead of merging into them")
    public void replacesNestedValuesWhole() {
        applied(batch(0, 1, update("tck.item", "1", "{\"n\":{\"x\":1,\"y\":2},\"list\":[1,2,3]}")));
        applied(batch(1, 2, update("tck.item", "1", "{\"n\":{\"y\":null},\"list\":[4]}")));
        assertEntity(store().get("tck.item", "1"), "{\"n\":{\"y\":null},\"list\":[4]}");
    }

    @Test
    @DisplayName("applies several updates of one entity within a batch in order")
    public void appliesUpdatesInOrder() {
        applied(batch(0, 1,
                update("tck.item", "1", "{\"a\":1,\"b\":1}"),
                update("tck.item", "1", "{\"b\":2}"),
                update("tck.item", "2", "{\"z\":0}"),
                update("tck.item", "1", "{\"c\":3,\"a\":null}"),
                update("tck.item", "1", "{\"b\":4}")));
        assertEntity(store().get("tck.item", "1"), "{\"a\":null,\"b\":4,\"c\":3}");
    }

    @Test
    @DisplayName("an empty update keeps the entity as it is")
    public void emptyUpdateKeepsTheEntity() {
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1}")));
        applied(batch(1, 2, update("tck.item", "1", "{}")));
        assertEntity(store().get("tck.item", "1"), "{\"a\":1}");
    }

    @Test
    @DisplayName("an update after a delete or a truncate starts from nothing: no old member comes back")
    public void updateAfterDeleteStartsFresh() {
        applied(batch(0, 1, update("tck.item", "1", "{\"old\":1}"), update("tck.item", "2", "{\"old\":2}")));
        applied(batch(1, 2, delete("tck.item", "1"), update("tck.item", "1", "{\"new\":1}")));
        assertEntity(store().get("tck.item", "1"), "{\"new\":1}");

        applied(batch(2, 3, truncate("tck.item"), update("tck.item", "2", "{\"new\":2}")));
        assertThat(store().get("tck.item", "1")).isEmpty();
        assertEntity(store().get("tck.item", "2"), "{\"new\":2}");
        assertThat(store().count("tck.item")).isEqualTo(1);
    }

    @Test
    @DisplayName("keeps every value exactly: numbers to the last digit, unicode, booleans, nesting")
    public void keepsValuesExactly() {
        String data = "{\"big\":123456789012345678901234567890.123456789012345678901234567890,"
                + "\"long\":-9223372036854775808,\"exp\":1.5E+300,\"small\":0.000000000000000000001,"
                + "\"text\":\"Grüße, 東京, \\\"quoted\\\", tab\\t, emoji \uD83C\uDF0A\",\"yes\":true,\"no\":false,"
                + "\"none\":null,\"deep\":{\"a\":[{\"b\":[[]]},{}]}}";
        applied(batch(0, 1, update("tck.item", "1", data)));
        assertEntity(store().get("tck.item", "1"), data);
        applied(batch(1, 2, update("tck.item", "1", "{\"yes\":false}")));
        assertEntity(store().get("tck.item", "1"), data.replace("\"yes\":true", "\"yes\":false"));
    }
}
