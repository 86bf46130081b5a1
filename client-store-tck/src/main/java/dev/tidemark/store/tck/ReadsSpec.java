package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.JsonAssert.assertSameJson;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Reading entities: {@code get}, {@code count}, {@code forEach}.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class ReadsSpec extends StoreSpec {

    private static final List<String> ODD_IDS = List.of(
            "plain", "with space", "quote'single", "quote\"double", "back\\slash", "per%cent_under",
            "[1,\"composite\"]", "Grüße", "東京", "emoji \uD83C\uDF0A", "0", "00", "-1", "x".repeat(500),
            "CaseSensitive", "casesensitive");

    @Test
    @DisplayName("reads back entities whose ids hold any characters, telling apart ids that differ only in case")
    public void readsOddIds() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < ODD_IDS.size(); i++) {
            changes.add(update("tck.item", ODD_IDS.get(i), "{\"i\":" + i + "}"));
        }
        applied(new ChangeBatch("b1", TckData.lsn(0), TckData.lsn(1), changes));

        for (int i = 0; i < ODD_IDS.size(); i++) {
            assertEntity(store().get("tck.item", ODD_IDS.get(i)), "{\"i\":" + i + "}");
        }
        assertThat(store().count("tck.item")).isEqualTo(ODD_IDS.size());
    }

    @Test
    @DisplayName("keeps entity types apart, including schema-qualified ones")
    public void keepsTypesApart() {
        applied(batch(0, 1, update("orders", "1", "{\"t\":1}"), update("sales.orders", "1", "{\"t\":2}"),
                update("\"Odd\".\"Type\"", "1", "{\"t\":3}")));
        assertEntity(store().get("orders", "1"), "{\"t\":1}");
        assertEntity(store().get("sales.orders", "1"), "{\"t\":2}");
        assertEntity(store().get("\"Odd\".\"Type\"", "1"), "{\"t\":3}");
    }

    @Test
    @DisplayName("get of an absent entity, and count of an unknown type, are empty")
    public void absentReadsAreEmpty() {
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        assertThat(store().get("tck.item", "2")).isEmpty();
        assertThat(store().get("tck.none", "1")).isEmpty();
        assertThat(store().count("tck.none")).isZero();
        List<String> visited = new ArrayList<>();
        store().forEach("tck.none", (id, data) -> visited.add(id));
        assertThat(visited).isEmpty();
    }

    @Test
    @DisplayName("forEach visits every entity of one type exactly once, with its data, and no other")
    public void forEachVisitsOneType() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            changes.add(update("tck.item", "id-" + i, "{\"i\":" + i + "}"));
            changes.add(update("tck.item2", "id-" + i, "{\"other\":true}"));
        }
        applied(new ChangeBatch("b1", TckData.lsn(0), TckData.lsn(1), changes));

        Map<String, String> visited = new HashMap<>();
        List<String> repeated = new ArrayList<>();
        store().forEach("tck.item", (id, data) -> {
            if (visited.put(id, data) != null) {
                repeated.add(id);
            }
        });
        assertThat(repeated).isEmpty();
        assertThat(visited).hasSize(1500);
        for (int i = 0; i < 1500; i++) {
            assertSameJson(visited.get("id-" + i), "{\"i\":" + i + "}");
        }
        assertThat(store().count("tck.item")).isEqualTo(1500);
    }
}
