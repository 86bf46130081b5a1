package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MessageCodecProperties {

    private final MessageCodec codec = new MessageCodec();

    @Property(tries = 500)
    void everyMessageSurvivesARoundTrip(@ForAll("messages") Message message) {
        String text = codec.encode(message);
        assertThat(codec.decode(text)).isEqualTo(message);
        assertThat(codec.encode(codec.decode(text))).isEqualTo(text);
    }

    /**
     * Written straight to UTF-8, a message is its text's UTF-8 bytes when the text is all whole characters
     * (outside the BMP too); a lone surrogate, which UTF-8 cannot carry, goes as its JSON escape and decodes
     * back to the same message.
     */
    @Property(tries = 1000)
    void theUtf8EncodingIsTheTextsBytes(@ForAll("messages") Message message) {
        String text = codec.encode(message);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        codec.encode(message, out);
        String written = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (text.codePoints().noneMatch(point -> point >= Character.MIN_SURROGATE && point <= Character.MAX_SURROGATE)) {
            assertThat(out.toByteArray()).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
            assertThat(codec.decode(written)).isEqualTo(message);
        }
    }

    @Property(tries = 300)
    void textsOutsideTheBmpAreTheirUtf8Bytes(@ForAll("unicodeText") String text) {
        Message message = new ErrorMessage(ErrorCode.INTERNAL, text);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        codec.encode(message, out);
        String encoded = codec.encode(message);
        if (text.codePoints().noneMatch(point -> point >= Character.MIN_SURROGATE && point <= Character.MAX_SURROGATE)) {
            assertThat(out.toByteArray()).isEqualTo(encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(codec.decode(out.toString(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(message);
    }

    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<String> astral = Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString);
        Arbitrary<String> bmp = Arbitraries.chars().map(String::valueOf);
        return Arbitraries.oneOf(astral, astral, bmp).list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    @Property(tries = 2000)
    void arbitraryTextDecodesOrRaisesTheProtocolException(@ForAll("junk") String text) {
        try {
            codec.decode(text);
        } catch (ProtocolException expected) {
            assertThat(expected.code()).isNotNull();
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void mutatedValidMessagesDecodeOrRaiseTheProtocolException(@ForAll("messages") Message message,
                                                              @ForAll int position, @ForAll char replacement) {
        String text = codec.encode(message);
        int at = Math.floorMod(position, text.length());
        String mutated = text.substring(0, at) + replacement + text.substring(at + 1);
        try {
            codec.decode(mutated);
        } catch (ProtocolException expected) {
            assertThat(expected.code()).isNotNull();
        }
    }

    /**
     * A change item whose members are all strings is decoded without a tree; one with any other member
     * (here an unknown one, first or last) goes through the field-by-field checks. Both must accept the
     * same items, make the same changes and refuse the rest with the same error.
     */
    @Property(tries = 3000)
    void stringOnlyItemsDecodeAsTheFieldByFieldChecksDo(@ForAll("itemMembers") List<String> members,
                                                       @ForAll boolean unknownFirst) {
        String plain = changesWithItem(String.join(",", members));
        List<String> withUnknown = new ArrayList<>(members);
        withUnknown.add(unknownFirst ? 0 : withUnknown.size(), "\"zz\":0");
        String checked = changesWithItem(String.join(",", withUnknown));
        Object viaStrings = outcome(plain);
        Object viaTree = outcome(checked);
        assertThat(viaStrings).isEqualTo(viaTree);
    }

    private static String changesWithItem(String members) {
        return "{\"type\":\"changes\",\"batchId\":\"b\",\"prevLsn\":\"0/0\",\"lsn\":\"0/10\","
                + "\"checksum\":\"0000000000000000\",\"data\":[{" + members + "}]}";
    }

    /** The decoded change, or the error's code and message. */
    private Object outcome(String text) {
        try {
            return ((Changes) codec.decode(text)).data().get(0);
        } catch (ProtocolException e) {
            return e.code() + ": " + e.getMessage();
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Provide
    Arbitrary<List<String>> itemMembers() {
        Arbitrary<String> type = Arbitraries.of("update", "delete", "move", "truncate", "insert", "Update", "")
                .map(value -> member("type", value));
        Arbitrary<String> entityType = Arbitraries.oneOf(Arbitraries.of("orders", "", "x".repeat(257), "x".repeat(256)),
                ids()).map(value -> member("entityType", value));
        Arbitrary<String> entityId = ids().map(value -> member("entityId", value));
        Arbitrary<String> fromId = ids().map(value -> member("fromId", value));
        Arbitrary<String> timestamp = Arbitraries.of("2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05+02:00",
                "2026-01-02", "yesterday").map(value -> member("timestamp", value));
        Arbitrary<String> data = Arbitraries.of("{\"id\":1}", "{}", "{\"a\": 1}", "{\"b\":\"\\u00e9\"}", "{\"n\":1e5}")
                .map(value -> "\"data\":" + value);
        return Combinators.combine(type.injectNull(0.1), entityType.injectNull(0.1), entityId.injectNull(0.3),
                        fromId.injectNull(0.8), timestamp.injectNull(0.1), data.injectNull(0.3))
                .as((a, b, c, d, e, f) -> {
                    List<String> members = new ArrayList<>();
                    for (String member : Arrays.asList(a, b, c, d, e, f)) {
                        if (member != null) {
                            members.add(member);
                        }
                    }
                    return members;
                })
                .flatMap(members -> Arbitraries.shuffle(members));
    }

    private static String member(String name, String value) {
        return "\"" + name + "\":" + Json.MAPPER.getNodeFactory().textNode(value).toString();
    }

    @Provide
    Arbitrary<String> junk() {
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.-eE truefalsn\\/")
                .ofMaxLength(80);
        Arbitrary<String> typed = Arbitraries.of(Hello.TYPE, Changes.TYPE, SyncAck.TYPE, SyncVerify.TYPE, "x")
                .flatMap(type -> jsonish.map(rest -> "{\"type\":\"" + type + "\"," + rest));
        return Arbitraries.oneOf(anything, jsonish, typed);
    }

    @Provide
    Arbitrary<Message> messages() {
        return Arbitraries.oneOf(hellos(), welcomes(), changes(), acks(), committed(), verifies(), results(), errors());
    }

    private static Arbitrary<Lsn> lsns() {
        return Arbitraries.longs().map(Lsn::of);
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(20).excludeChars('\u0000');
    }

    private static Arbitrary<String> optionalIds() {
        return ids().injectNull(0.3);
    }

    private Arbitrary<Message> hellos() {
        return Combinators.combine(ids(), lsns(), optionalIds(), Arbitraries.integers().between(1, 5),
                        ids().list().ofMaxSize(3), ids().list().ofMaxSize(3))
                .as(Hello::new);
    }

    private Arbitrary<Message> welcomes() {
        return Combinators.combine(ids(), lsns(), Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(1, 10_000)).as(Welcome::new);
    }

    private Arbitrary<Change> changeItems() {
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_000_000_000_000L)
                .flatMap(millis -> Arbitraries.integers().between(0, 999_999)
                        .map(micros -> Instant.ofEpochMilli(millis).plusNanos(micros * 1000L)));
        Arbitrary<Object> values = Arbitraries.oneOf(Arbitraries.integers().map(Object.class::cast),
                Arbitraries.bigDecimals().map(Object.class::cast), ids().map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast), Arbitraries.just(null));
        Arbitrary<String> data = Arbitraries.maps(ids(), values).ofMaxSize(5).map(map -> {
            ObjectNode object = Json.MAPPER.createObjectNode();
            map.forEach((key, value) -> object.set(key, Json.MAPPER.valueToTree(value)));
            object.set("nested", Json.MAPPER.createArrayNode().add(1).addNull().add("x"));
            return Json.canonicalObject(Json.canonical(object));
        });
        return Arbitraries.oneOf(
                Combinators.combine(ids(), ids(), data, times).as(Change::update),
                Combinators.combine(ids(), ids(), times).as(Change::delete),
                Combinators.combine(ids(), ids(), data, times)
                        .as((type, id, key, time) -> Change.delete(type, id, key, time)),
                Combinators.combine(ids(), ids(), ids(), data, times).as(Change::move),
                Combinators.combine(ids(), times).as(Change::truncate));
    }

    private Arbitrary<Message> changes() {
        return Combinators.combine(ids(), lsns(), lsns(), changeItems().list().ofMaxSize(5),
                        Arbitraries.integers().between(1, 100).injectNull(0.5), Arbitraries.of(true, false))
                .as((batchId, a, b, data, part, last) -> {
                    Lsn prev = a.compareTo(b) <= 0 ? a : b;
                    Lsn lsn = a.compareTo(b) <= 0 ? b : a;
                    return part == null ? Changes.of(new ChangeBatch(batchId, prev, lsn, data))
                            : Changes.part(batchId, prev, lsn, part, last, data);
                });
    }

    private Arbitrary<Message> acks() {
        return Combinators.combine(ids(), lsns(), Arbitraries.of(AckStatus.class), optionalIds(), optionalIds())
                .as(SyncAck::new);
    }

    private Arbitrary<Message> committed() {
        return Combinators.combine(lsns(), optionalIds()).as(LsnCommitted::new);
    }

    private Arbitrary<Message> verifies() {
        return Combinators.combine(ids(), lsns(), Arbitraries.longs().injectNull(0.3)).as(SyncVerify::new);
    }

    private Arbitrary<Message> results() {
        return Combinators.combine(Arbitraries.of(VerifyStatus.class), lsns(), lsns()).as(SyncVerifyResult::new);
    }

    private Arbitrary<Message> errors() {
        return Combinators.combine(Arbitraries.of(ErrorCode.class), Arbitraries.strings().ofMaxLength(50))
                .as(ErrorMessage::new);
    }

}
