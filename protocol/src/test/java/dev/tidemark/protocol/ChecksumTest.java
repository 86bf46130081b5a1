package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void rangesAddUp() {
        Change a = Change.update("todo", "1", "{\"title\":\"a\"}", T);
        Change b = Change.delete("todo", "2", T);
        Change c = Change.truncate("todo", T);
        assertThat(Checksum.of(List.of(a, b)) + Checksum.of(List.of(c))).isEqualTo(Checksum.of(List.of(a, b, c)));
    }

    @Test
    void everyFieldCounts() {
        Change base = Change.update("todo", "1", "{\"title\":\"a\"}", T);
        assertThat(Checksum.of(base))
                .isNotEqualTo(Checksum.of(Change.update("todos", "1", "{\"title\":\"a\"}", T)))
                .isNotEqualTo(Checksum.of(Change.update("todo", "2", "{\"title\":\"a\"}", T)))
                .isNotEqualTo(Checksum.of(Change.update("todo", "1", "{\"title\":\"b\"}", T)))
                .isNotEqualTo(Checksum.of(Change.delete("todo", "1", "{\"title\":\"a\"}", T)));
        // Field boundaries matter: moving text between fields changes the checksum.
        assertThat(Checksum.of(Change.delete("ab", "c", T))).isNotEqualTo(Checksum.of(Change.delete("a", "bc", T)));
    }

    @Test
    void aMoveCoversItsFromId() {
        Change move = Change.move("todo", "1", "2", "{\"title\":\"a\"}", T);
        assertThat(Checksum.of(move))
                .isNotEqualTo(Checksum.of(Change.move("todo", "3", "2", "{\"title\":\"a\"}", T)))
                .isNotEqualTo(Checksum.of(Change.update("todo", "2", "{\"title\":\"a\"}", T)))
                .isNotEqualTo(Checksum.of(Change.move("todo", "2", "1", "{\"title\":\"a\"}", T)));
        // Field boundaries matter: text moved between entityId and fromId changes the checksum.
        assertThat(Checksum.of(Change.move("t", "a", "bc", "{}", T)))
                .isNotEqualTo(Checksum.of(Change.move("t", "ab", "c", "{}", T)));
    }

    @Test
    void hexRoundTrip() {
        assertThat(Checksum.toHex(0)).isEqualTo("0000000000000000");
        assertThat(Checksum.toHex(-1)).isEqualTo("ffffffffffffffff");
        assertThat(Checksum.fromHex("00000000000000ff")).isEqualTo(255);
        assertThat(Checksum.fromHex("FFFFFFFFFFFFFFFF")).isEqualTo(-1);
        assertThatThrownBy(() -> Checksum.fromHex("123")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Checksum.fromHex("000000000000000g")).isInstanceOf(ProtocolException.class);
    }
}
