package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.truncate;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Entity types and ids are matched exactly, character for character: not as patterns ({@code _} and
 * {@code %} of SQL's {@code LIKE}), not trimmed, not normalised, not case-folded, not cut short.
 */
public abstract class EntityKeysSpec extends StoreSpec {

    /** Ids that a store comparing anything but every character of the text mixes up. */
    static final List<String> LOOKALIKE_IDS = List.of(
            "id", " id", "id ", " id ", "  id", "id\t", "\u00A0id", "ID",
            "caf\u00E9", "cafe\u0301", "stra\u00DFe", "strasse", "\uFB01", "fi", "\uD83C\uDF0A", "\uD83C\uDF0B",
            "a_c", "abc", "a%", "aXYZ", "a\\_c",
            "L".repeat(1999) + "a", "L".repeat(1999) + "b", "\u6771".repeat(600));

    private void applyAll(long from, long to, List<Change> changes) {
        applied(new ChangeBatch("b" + to, lsn(from), lsn(to), changes));
    }

    @Test
    @DisplayName("truncate matches its entity type exactly: '_' and '%' are ordinary characters, case counts")
    public void truncateMatchesTheTypeExactly() {
        List<String> types = List.of("tck.order_item", "tck.orderXitem", "tck.order%", "tck.order%item",
                "tck.orderABC", "tck.ORDER_ITEM", "tck.order\\_item", "tck.order_item ");
        List<Change> changes = new ArrayList<>();
        for (String type : types) {
            changes.add(update(type, "1", "{}"));
            changes.add(update(type, "2", "{}"));
        }
        applyAll(0, 1, changes);

        applyAll(1, 2, List.of(truncate("tck.order_item"), truncate("tck.order%")));

        assertThat(store().count("tck.order_item")).isZero();
        assertThat(store().count("tck.order%")).isZero();
        for (String type : types.subList(1, types.size())) {
            if (!type.equals("tck.order%")) {
                assertThat(store().count(type)).as("entities of '%s' after truncating 'tck.order_item' and 'tck.order%%'",
                        type).isEqualTo(2);
            }
        }
    }

    @Test
    @DisplayName("ids differing only in white space, Unicode normalisation, case, '_' or '%', or after the"
            + " 1,999th character are different entities, read back exactly")
    public void idsAreExact() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < LOOKALIKE_IDS.size(); i++) {
            changes.add(update("tck.item", LOOKALIKE_IDS.get(i), "{\"i\":" + i + "}"));
        }
        applyAll(0, 1, changes);

        assertThat(store().count("tck.item")).isEqualTo(LOOKALIKE_IDS.size());
        for (int i = 0; i < LOOKALIKE_IDS.size(); i++) {
            assertEntity(store().get("tck.item", LOOKALIKE_IDS.get(i)), "{\"i\":" + i + "}");
        }
        Set<String> visited = new HashSet<>();
        store().forEach("tck.item", (id, data) -> visited.add(id));
        assertThat(visited).as("ids forEach returns, exactly as applied").containsExactlyInAnyOrderElementsOf(LOOKALIKE_IDS);
        assertThat(store().get("tck.item", "Id")).isEmpty();
        assertThat(store().get("tck.item", "L".repeat(1999))).isEmpty();
    }

    @Test
    @DisplayName("delete and update touch the entity with exactly their id, and no look-alike")
    public void deleteAndUpdateAreExact() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < LOOKALIKE_IDS.size(); i++) {
            changes.add(update("tck.item", LOOKALIKE_IDS.get(i), "{\"i\":" + i + "}"));
        }
        applyAll(0, 1, changes);
        List<String> deleted = List.of(" id ", "cafe\u0301", "a_c", "a%", "L".repeat(1999) + "a");
        List<Change> second = new ArrayList<>();
        deleted.forEach(id -> second.add(delete("tck.item", id)));
        second.add(update("tck.item", "id ", "{\"touched\":true}"));
        applyAll(1, 2, second);

        assertThat(store().count("tck.item")).isEqualTo(LOOKALIKE_IDS.size() - deleted.size());
        for (int i = 0; i < LOOKALIKE_IDS.size(); i++) {
            String id = LOOKALIKE_IDS.get(i);
            if (deleted.contains(id)) {
                assertThat(store().get("tck.item", id)).as("deleted '%s'", id).isEmpty();
            } else if (id.equals("id ")) {
                assertEntity(store().get("tck.item", id), "{\"i\":" + i + ",\"touched\":true}");
            } else {
                assertEntity(store().get("tck.item", id), "{\"i\":" + i + "}");
            }
        }
    }
}
