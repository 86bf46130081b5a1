package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void aMoveNamesItsOldAndNewIds() {
        Change move = Change.move("items", "1", "2", "{\"id\":2}", T);
        assertThat(move.type()).isEqualTo(ChangeType.MOVE);
        assertThat(move.fromId()).isEqualTo("1");
        assertThat(move.entityId()).isEqualTo("2");
        assertThat(ChangeType.fromWireName("move")).isEqualTo(ChangeType.MOVE);
    }

    @Test
    void aMoveNeedsItsOldIdAndData() {
        assertThatThrownBy(() -> Change.move("items", null, "2", "{}", T)).hasMessageContaining("fromId");
        assertThatThrownBy(() -> Change.move("items", "1", "2", null, T)).hasMessageContaining("data of a move");
        assertThatThrownBy(() -> Change.move("items", "1", null, "{}", T)).hasMessageContaining("entityId");
    }

    @Test
    void onlyAMoveCarriesAnOldId() {
        assertThatThrownBy(() -> new Change(ChangeType.UPDATE, "items", "2", "{}", T, "1"))
                .hasMessageContaining("only a move carries a fromId");
        assertThatThrownBy(() -> new Change(ChangeType.DELETE, "items", "2", null, T, "1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Change.update("items", "2", "{}", T).fromId()).isNull();
        assertThat(new Change(ChangeType.DELETE, "items", "2", null, T)).isEqualTo(Change.delete("items", "2", T));
    }

    @Test
    void theCodecSaysWhatIsWrong() {
        MessageCodec codec = new MessageCodec();
        String head = "{\"type\":\"changes\",\"batchId\":\"b\",\"prevLsn\":\"0/10\",\"lsn\":\"0/20\","
                + "\"checksum\":\"0000000000000000\",\"data\":[";
        assertThatThrownBy(() -> codec.decode(head + "{\"type\":\"move\",\"entityType\":\"t\",\"entityId\":\"2\","
                + "\"data\":{},\"timestamp\":\"2026-01-02T03:04:05Z\"}]}"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_FIELD))
                .hasMessageContaining("data[0].fromId").hasMessageContaining("previous key");
        assertThatThrownBy(() -> codec.decode(head + "{\"type\":\"update\",\"entityType\":\"t\",\"entityId\":\"2\","
                + "\"fromId\":\"1\",\"data\":{},\"timestamp\":\"2026-01-02T03:04:05Z\"}]}"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD))
                .hasMessageContaining("belongs only to a move");
    }
}
