package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Arguments that break the contract are programming errors, not storage failures: they throw the
 * JDK's exceptions for them ({@link NullPointerException} for {@code null},
 * {@link IllegalArgumentException} for a value out of range) before anything is written.
 */
public abstract class ArgumentsSpec extends StoreSpec {

    @Test
    @DisplayName("resetHistory of an empty history id throws IllegalArgumentException, of null NullPointerException,"
            + " and changes nothing")
    public void rejectsBadHistoryIds() {
        store().resetHistory("h1");
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");

        assertThatThrownBy(() -> store().resetHistory("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().resetHistory(null)).isInstanceOf(NullPointerException.class);

        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
    }

    @Test
    @DisplayName("putMetadata with an empty key or one over 200 characters throws IllegalArgumentException,"
            + " with a null key or value NullPointerException, and stores nothing")
    public void rejectsBadMetadata() {
        store().putMetadata("k", "kept");

        assertThatThrownBy(() -> store().putMetadata("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().putMetadata("k".repeat(201), "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().putMetadata(null, "v")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store().putMetadata("k", null)).isInstanceOf(NullPointerException.class);

        assertThat(store().metadata("k")).contains("kept");
        assertThat(store().metadata("k".repeat(201))).isEmpty();
        store().putMetadata("k".repeat(200), "the longest key");
        assertThat(store().metadata("k".repeat(200))).contains("the longest key");
    }
}
