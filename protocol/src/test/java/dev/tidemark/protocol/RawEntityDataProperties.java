package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The decoder keeps a change's data text as it arrived when that is canonical and builds no tree for
 * it; whatever the spelling, the data it hands on is exactly what {@link Json#canonicalObject} makes of
 * the text (so checksums agree across encodings, as before).
 */
class RawEntityDataProperties {

    private final MessageCodec codec = new MessageCodec();

    @Provide
    Arbitrary<Map<String, Object>> objects() {
        return JsonValues.objects();
    }

    @Property(tries = 500)
    void dataInAnySpellingDecodesToItsCanonicalText(@ForAll("objects") Map<String, Object> value, @ForAll long seed) {
        for (String spelling : new String[] {JsonValues.compact(value), JsonValues.respelled(value, seed)}) {
            String expected = Json.canonicalObject(spelling);
            assertThat(decodedData(spelling)).isEqualTo(expected);
            assertThat(CanonicalJsonText.isCanonical(spelling)).isEqualTo(spelling.equals(expected));
        }
    }

    @Property(tries = 300)
    void canonicalDataIsKeptAsTheSameText(@ForAll("objects") Map<String, Object> value) {
        String canonical = Json.canonicalObject(JsonValues.compact(value));
        assertThat(CanonicalJsonText.isCanonical(canonical)).isTrue();
        assertThat(decodedData(canonical)).isEqualTo(canonical);
    }

    @Example
    void spellingsThatAreNotCanonical() {
        for (String text : new String[] {"{\"a\": 1}", "{\"a\":1e5}", "{\"a\":-0}", "{\"a\":-0.0}", "{\"a\":0.0000001}",
                "{\"a\":\"\\/\"}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\u001f\"}", "{\"a\":\"\\u000a\"}", "{ }"}) {
            assertThat(CanonicalJsonText.isCanonical(text)).as(text).isFalse();
            assertThat(decodedData(text)).as(text).isEqualTo(Json.canonicalObject(text));
        }
        for (String text : new String[] {"{\"a\":1E+5}", "{\"a\":1.10}", "{\"a\":\"\\u001F\\n\\\"\\\\ é\u2028\"}",
                "{\"a\":[1,{\"b\":null}],\"c\":-12345678901234567890}", "{}"}) {
            assertThat(CanonicalJsonText.isCanonical(text)).as(text).isTrue();
            assertThat(decodedData(text)).as(text).isEqualTo(text);
        }
    }

    @Example
    void malformedDataIsRefusedAsBefore() {
        for (String data : new String[] {"{\"a\":}", "{\"a\":1,\"a\":2}", "{\"a\":tru}", "{\"a\":\"\u0001\"}", "{\"a\":01}",
                "{\"a\":1", "{\"a\":" + "[".repeat(80) + "]".repeat(80) + "}"}) {
            assertThatThrownBy(() -> codec.decode(message(data))).as(data).isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE));
        }
        for (String data : new String[] {"[1]", "1", "\"x\""}) {
            assertThatThrownBy(() -> codec.decode(message(data))).as(data).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("must be a JSON object");
        }
        assertThatThrownBy(() -> codec.decode(message("{}") + " x")).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE));
    }

    @Example
    void aDataArrayOfAnotherMessageIsReadAsAnyMember() {
        Message ack = codec.decode("{\"data\":[{\"data\":{\"x\" : 1}}],\"type\":\"sync_ack\",\"clientId\":\"c\","
                + "\"lsn\":\"0/A\",\"status\":\"success\"}");
        assertThat(ack).isInstanceOf(SyncAck.class);
    }

    private String decodedData(String data) {
        Changes changes = (Changes) codec.decode(message(data));
        return changes.data().get(0).data();
    }

    private static String message(String data) {
        return "{\"type\":\"changes\",\"batchId\":\"b\",\"prevLsn\":\"0/0\",\"lsn\":\"0/1\",\"checksum\":\"0000000000000000\","
                + "\"data\":[{\"type\":\"update\",\"entityType\":\"t\",\"entityId\":\"1\",\"data\":" + data
                + ",\"timestamp\":\"2026-01-02T03:04:05Z\"}]}";
    }
}
