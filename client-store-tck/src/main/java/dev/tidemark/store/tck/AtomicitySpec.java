package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.truncate;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.ChangeSourceException;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's group of tests: A failure in the middle of a batch (a broken stream, an invalid change) changes nothing.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class AtomicitySpec extends StoreSpec {

    private static final String[] TYPES = {"tck.item", "tck.other"};

    private StoreSnapshot before;

    /** A store at kit LSN 1 with data in two types and a pending marker for batch 2. */
    @BeforeEach
    void prepare() {
        applied(batch(0, 1,
                update("tck.item", "1", "{\"v\":1,\"keep\":\"me\"}"),
                update("tck.item", "2", "{\"v\":2}"),
                update("tck.other", "1", "{\"o\":1}")));
        store().recordPending(lsn(2));
        before = StoreSnapshot.of(store(), TYPES);
    }

    /** Batch 2: every kind of change, {@code size} in all, touching existing and new entities. */
    private static List<Change> mixedChanges(int size) {
        List<Change> changes = new ArrayList<>(List.of(
                update("tck.item", "1", "{\"v\":10}"),
                delete("tck.item", "2"),
                truncate("tck.other"),
                update("tck.other", "2", "{\"o\":2}")));
        for (int i = 0; changes.size() < size; i++) {
            changes.add(update("tck.item", "new-" + i, "{\"i\":" + i + "}"));
        }
        return changes;
    }

    private void assertNothingChanged() {
        assertThat(StoreSnapshot.of(store(), TYPES)).as("the store after the failed batch").isEqualTo(before);
    }

    @ParameterizedTest(name = "after {0} changes")
    @ValueSource(ints = {0, 1, 3, 6, 2500})
    @DisplayName("rolls back when the change stream breaks in the middle, and rethrows its exception unchanged")
    public void rollsBackABrokenStream(int failAfter) {
        ChangeSourceException lost = new ChangeSourceException("connection lost (injected by the kit)");
        ScriptedChangeSource changes = ScriptedChangeSource.failing(mixedChanges(5000), failAfter, lost);

        assertThatThrownBy(() -> store().apply(header(1, 2), changes)).isSameAs(lost);

        assertThat(changes.pulled()).isEqualTo(failAfter);
        assertNothingChanged();
    }

    @Test
    @DisplayName("rolls back when the change stream throws any other runtime exception, and rethrows it unchanged")
    public void rollsBackAnyStreamFailure() {
        IllegalStateException bug = new IllegalStateException("a bug in the source (injected by the kit)");
        ScriptedChangeSource changes = ScriptedChangeSource.failing(mixedChanges(10), 5, bug);

        assertThatThrownBy(() -> store().apply(header(1, 2), changes)).isSameAs(bug);
        assertNothingChanged();
    }

    @ParameterizedTest(name = "data {0}")
    @ValueSource(strings = {"{\"unterminated\":", "not json", "[1,2,3]", "\"text\"", "42", "null", ""})
    @DisplayName("rolls back and reports INVALID_CHANGE when a change's data is not a JSON object")
    public void rollsBackAnInvalidChange(String data) {
        List<Change> changes = mixedChanges(3000);
        changes.add(5, update("tck.item", "bad", data));
        ChangeBatch batch = new ChangeBatch("b2", lsn(1), lsn(2), changes);

        assertThatThrownBy(() -> store().apply(batch))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CHANGE));
        assertNothingChanged();
    }

    @Test
    @DisplayName("rolls back an invalid change that comes after thousands of written ones")
    public void rollsBackALateInvalidChange() {
        List<Change> changes = mixedChanges(4000);
        changes.add(update("tck.item", "1", "{broken"));
        assertThatThrownBy(() -> store().apply(new ChangeBatch("b2", lsn(1), lsn(2), changes)))
                .isInstanceOf(SyncStoreException.class);
        assertNothingChanged();
    }

    @Test
    @DisplayName("stays usable after a failed batch: the same batch then applies in full")
    public void staysUsableAfterAFailure() {
        List<Change> changes = mixedChanges(20);
        assertThatThrownBy(() -> store().apply(header(1, 2),
                ScriptedChangeSource.failing(changes, 10, new ChangeSourceException("lost"))))
                .isInstanceOf(ChangeSourceException.class);

        applied(new ChangeBatch("b2", lsn(1), lsn(2), changes));

        assertThat(store().committedLsn()).isEqualTo(lsn(2));
        assertThat(store().pendingLsn()).isEmpty();
        assertThat(store().count("tck.item")).isEqualTo(1 + 16);
        assertThat(store().count("tck.other")).isEqualTo(1);
        assertThat(store().committedChecksum()).isEqualTo(before.committedChecksum() + checksum(changes));
    }

    @Test
    @DisplayName("a failed batch is invisible after reopening, too")
    public void failureSurvivesReopen() {
        assertThatThrownBy(() -> store().apply(header(1, 2),
                ScriptedChangeSource.failing(mixedChanges(3000), 2999, new ChangeSourceException("lost"))))
                .isInstanceOf(ChangeSourceException.class);
        reopen();
        assertNothingChanged();
    }
}
