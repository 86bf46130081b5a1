package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.move;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.ChangeSourceException;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code move}: a primary-key change. The entity under {@code fromId} leaves it and, merged with the
 * change's data, is stored under {@code entityId}; the data lacks the columns the source did not
 * resend, so they must come from the moved entity.
 */
public abstract class MoveSpec extends StoreSpec {

    private static final String NOTE = "\"note\":\"" + "long text ".repeat(300) + "\"";

    @Test
    @DisplayName("moves the entity to its new id and keeps the members the move does not carry")
    public void movesAndKeeps() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1,\"grp\":\"a\"," + NOTE + "}"),
                update("tck.other", "1", "{\"o\":1}")));
        applied(batch(1, 2, move("tck.item", "1", "2", "{\"id\":2,\"grp\":\"b\"}")));

        assertThat(store().get("tck.item", "1")).as("the old id").isEmpty();
        assertEntity(store().get("tck.item", "2"), "{\"id\":2,\"grp\":\"b\"," + NOTE + "}");
        assertThat(store().count("tck.item")).isEqualTo(1);
        assertEntity(store().get("tck.other", "1"), "{\"o\":1}");
    }

    @Test
    @DisplayName("with nothing under the old id, acts as an update of the new id")
    public void oldAbsent() {
        applied(batch(0, 1, update("tck.item", "9", "{\"id\":9,\"keep\":true,\"grp\":\"x\"}")));
        applied(batch(1, 2, move("tck.item", "1", "2", "{\"id\":2,\"grp\":\"b\"}"),
                move("tck.item", "3", "9", "{\"grp\":\"y\"}")));

        assertThat(store().get("tck.item", "1")).isEmpty();
        assertEntity(store().get("tck.item", "2"), "{\"id\":2,\"grp\":\"b\"}");
        assertEntity(store().get("tck.item", "9"), "{\"id\":9,\"keep\":true,\"grp\":\"y\"}");
        assertThat(store().count("tck.item")).isEqualTo(2);
    }

    @Test
    @DisplayName("replaces an entity already stored under the new id with the moved one")
    public void replacesTheTarget() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1," + NOTE + "}"),
                update("tck.item", "2", "{\"id\":2,\"stale\":1}")));
        applied(batch(1, 2, move("tck.item", "1", "2", "{\"id\":2}")));

        assertEntity(store().get("tck.item", "2"), "{\"id\":2," + NOTE + "}");
        assertThat(store().count("tck.item")).isEqualTo(1);
    }

    @Test
    @DisplayName("a move and then an update of the new id in one batch")
    public void moveThenUpdate() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1,\"v\":1," + NOTE + "}")));
        applied(batch(1, 2, move("tck.item", "1", "2", "{\"id\":2}"), update("tck.item", "2", "{\"v\":2}"),
                update("tck.item", "1", "{\"id\":1,\"v\":3}")));

        assertEntity(store().get("tck.item", "2"), "{\"id\":2,\"v\":2," + NOTE + "}");
        assertEntity(store().get("tck.item", "1"), "{\"id\":1,\"v\":3}");
    }

    @Test
    @DisplayName("a chain of moves a -> b -> c in one batch ends under c with everything")
    public void chain() {
        applied(batch(0, 1, update("tck.item", "a", "{\"id\":\"a\",\"x\":1," + NOTE + "}")));
        applied(batch(1, 2, move("tck.item", "a", "b", "{\"id\":\"b\",\"y\":2}"),
                move("tck.item", "b", "c", "{\"id\":\"c\"}")));

        assertThat(store().get("tck.item", "a")).isEmpty();
        assertThat(store().get("tck.item", "b")).isEmpty();
        assertEntity(store().get("tck.item", "c"), "{\"id\":\"c\",\"x\":1,\"y\":2," + NOTE + "}");
    }

    @Test
    @DisplayName("moves an entity inserted earlier in the same batch, and swaps two keys through a third")
    public void movesWhatTheBatchInserted() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1," + NOTE + "}"),
                move("tck.item", "1", "2", "{\"id\":2,\"grp\":\"b\"}"),
                update("tck.item", "5", "{\"id\":5,\"five\":true}"),
                update("tck.item", "6", "{\"id\":6,\"six\":true}"),
                move("tck.item", "5", "tmp", "{\"id\":\"tmp\"}"),
                move("tck.item", "6", "5", "{\"id\":5}"),
                move("tck.item", "tmp", "6", "{\"id\":6}")));

        assertEntity(store().get("tck.item", "2"), "{\"id\":2,\"grp\":\"b\"," + NOTE + "}");
        assertEntity(store().get("tck.item", "5"), "{\"id\":5,\"six\":true}");
        assertEntity(store().get("tck.item", "6"), "{\"id\":6,\"five\":true}");
        assertThat(store().get("tck.item", "tmp")).isEmpty();
        assertThat(store().count("tck.item")).isEqualTo(3);
    }

    @Test
    @DisplayName("a move after a delete of its old id acts as an update")
    public void afterDelete() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1," + NOTE + "}")));
        applied(batch(1, 2, delete("tck.item", "1"), move("tck.item", "1", "2", "{\"id\":2}")));

        assertThat(store().get("tck.item", "1")).isEmpty();
        assertEntity(store().get("tck.item", "2"), "{\"id\":2}");
    }

    @Test
    @DisplayName("a batch that fails after a move leaves the entity under its old id")
    public void rollsBack() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1," + NOTE + "}")));
        long checksumBefore = store().committedChecksum();
        List<Change> changes = List.of(move("tck.item", "1", "2", "{\"id\":2}"), update("tck.item", "3", "{}"),
                move("tck.item", "2", "4", "{\"id\":4}"));
        ChangeSourceException lost = new ChangeSourceException("connection lost (injected by the kit)");

        assertThatThrownBy(() -> store().apply(header(1, 2), ScriptedChangeSource.failing(changes, 2, lost)))
                .isSameAs(lost);

        assertEntity(store().get("tck.item", "1"), "{\"id\":1," + NOTE + "}");
        assertThat(store().get("tck.item", "2")).isEmpty();
        assertThat(store().count("tck.item")).isEqualTo(1);
        assertThat(store().committedLsn()).isEqualTo(lsn(1));
        assertThat(store().committedChecksum()).isEqualTo(checksumBefore);
    }

    @Test
    @DisplayName("a move whose data is not a JSON object is refused with INVALID_CHANGE and changes nothing")
    public void invalidData() {
        applied(batch(0, 1, update("tck.item", "1", "{\"id\":1}")));
        ChangeBatch bad = batch(1, 2, update("tck.item", "3", "{}"), move("tck.item", "1", "2", "[1,2]"));

        assertThatThrownBy(() -> store().apply(bad)).isInstanceOfSatisfying(SyncStoreException.class,
                e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CHANGE));

        assertEntity(store().get("tck.item", "1"), "{\"id\":1}");
        assertThat(store().get("tck.item", "2")).isEmpty();
        assertThat(store().get("tck.item", "3")).isEmpty();
    }

    @Test
    @DisplayName("the committed checksum counts moves, their old ids included, and survives reopening")
    public void checksum() {
        List<Change> first = List.of(update("tck.item", "1", "{\"id\":1," + NOTE + "}"));
        List<Change> second = List.of(move("tck.item", "1", "2", "{\"id\":2}"), move("tck.item", "2", "3", "{}"));
        applied(new ChangeBatch("b1", lsn(0), lsn(1), first));
        applied(new ChangeBatch("b2", lsn(1), lsn(2), second));

        long expected = checksum(first) + checksum(second);
        assertThat(store().committedChecksum()).isEqualTo(expected);
        assertThat(checksum(second)).as("the old ids count")
                .isNotEqualTo(checksum(List.of(move("tck.item", "9", "2", "{\"id\":2}"), move("tck.item", "2", "3", "{}"))));
        reopen();
        assertThat(store().committedChecksum()).isEqualTo(expected);
        assertEntity(store().get("tck.item", "3"), "{\"id\":2," + NOTE + "}");
    }
}
