package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec();

    @Test
    void ignoresUnknownFields() {
        Message message = codec.decode("{\"type\":\"sync_ack\",\"clientId\":\"c\",\"lsn\":\"0/A\","
                + "\"status\":\"success\",\"future\":{\"x\":[1,2]}}");
        assertThat(message).isEqualTo(SyncAck.success("c", Lsn.parse("0/A"), null));
    }

    @Test
    void helloWithoutOptionalListsDefaultsToEmpty() {
        Hello hello = (Hello) codec.decode("{\"type\":\"hello\",\"clientId\":\"c\",\"lastLSN\":\"0/0\",\"protocolVersion\":1}");
        assertThat(hello.capabilities()).isEmpty();
        assertThat(hello.subscriptions()).isEmpty();
        assertThat(hello.has(Hello.CAPABILITY_ACK)).isFalse();
        assertThat(hello.historyId()).isNull();
    }

    @Test
    void entityDataIsCanonicalSoChecksumsAgreeAcrossEncodings() {
        String spaced = "{\"type\":\"changes\",\"batchId\":\"b\",\"prevLsn\":\"0/0\",\"lsn\":\"0/1\","
                + "\"checksum\":\"0000000000000000\",\"data\":[{\"type\":\"update\",\"entityType\":\"t\","
                + "\"entityId\":\"1\",\"data\": { \"n\" : 1.10 , \"s\" : \"\\u00e9\", \"big\": 123456789012345678901234567890 },"
                + "\"timestamp\":\"2026-01-02T04:04:05+01:00\"}]}";
        Changes changes = (Changes) codec.decode(spaced);
        Change change = changes.data().get(0);
        assertThat(change.data()).isEqualTo("{\"n\":1.10,\"s\":\"é\",\"big\":123456789012345678901234567890}");
        assertThat(change.data()).isEqualTo(Json.canonicalObject(change.data()));
        assertThat(change.timestamp()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void checksumIsCheckedByTheReceiverNotTheCodec() {
        Changes good = Changes.of(new ChangeBatch("b", Lsn.ZERO, Lsn.parse("0/10"),
                List.of(Change.update("t", "1", "{\"a\":1}", Instant.EPOCH))));
        Changes tampered = new Changes("b", Lsn.ZERO, Lsn.parse("0/10"), good.checksum(), null, null,
                List.of(Change.update("t", "1", "{\"a\":2}", Instant.EPOCH)));
        assertThat(((Changes) codec.decode(codec.encode(good))).checksumMatches()).isTrue();
        assertThat(((Changes) codec.decode(codec.encode(tampered))).checksumMatches()).isFalse();
    }

    @Test
    void errorMessagesNameTheField() {
        assertThatThrownBy(() -> codec.decode("{\"type\":\"changes\",\"batchId\":\"b\",\"prevLsn\":\"0/0\","
                + "\"lsn\":\"0/1\",\"checksum\":\"0000000000000000\",\"data\":[{\"type\":\"update\","
                + "\"entityType\":\"t\",\"entityId\":\"1\",\"data\":{},\"timestamp\":\"2026-01-02T03:04:05Z\"},"
                + "{\"type\":\"delete\",\"entityType\":\"t\",\"timestamp\":\"2026-01-02T03:04:05Z\"}]}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("data[1].entityId");
    }

    @Test
    void multiPartFlags() {
        Changes part = Changes.part("b", Lsn.ZERO, Lsn.parse("0/10"), 1, false, List.of());
        assertThat(part.isPart()).isTrue();
        assertThat(part.completesBatch()).isFalse();
        Changes decoded = (Changes) codec.decode(codec.encode(part));
        assertThat(decoded).isEqualTo(part);
        assertThat(Changes.of(part.toBatch()).completesBatch()).isTrue();
    }
}
