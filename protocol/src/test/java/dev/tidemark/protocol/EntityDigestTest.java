package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The source-verify digest definition (version 1)")
class EntityDigestTest {

    @Test
    @DisplayName("numbers are written by their exact value, as the Javadoc's examples say")
    void numbers() {
        assertThat(EntityDigest.canonicalData("[1, 1.0, 1E0, 1500, 1.5E3, 0.0000001, -2.50, 0, -0, 0.00, 0e5]"))
                .isEqualTo("[1e0,1e0,1e0,15e2,15e2,1e-7,-25e-1,0,0,0,0]");
        assertThat(EntityDigest.canonicalData("123456789012345678901234567890.0123456789000"))
                .isEqualTo("1234567890123456789012345678900123456789e-10");
    }

    @Test
    @DisplayName("members are sorted by code point at every depth, strings escape only quote, backslash and controls")
    void objectsAndStrings() {
        assertThat(EntityDigest.canonicalData("{\"b\": {\"z\": 1, \"a\": [true, null]}, \"a\": \"x\\/y\\u00e9\\n\\\"\"}"))
                .isEqualTo("{\"a\":\"x/yé\\u000a\\\"\",\"b\":{\"a\":[true,null],\"z\":1e0}}");
        // U+FF61 sorts before U+1F600 by code point, though not by UTF-16 unit.
        assertThat(EntityDigest.canonicalData("{\"\uD83D\uDE00\": 1, \"\uFF61\": 2}"))
                .isEqualTo("{\"\uFF61\":2e0,\"\uD83D\uDE00\":1e0}");
    }

    @Test
    @DisplayName("golden vectors: the hash and the buckets a client in another language must reproduce")
    void goldenVectors() {
        assertThat(EntityDigest.hash("items", "42", "{\"name\": \"caf\u00e9\", \"price\": 12.50, \"tags\": [\"a\"]}").toHex())
                .isEqualTo(GOLDEN_HASH);
        assertThat(EntityDigest.hash("items", "42", "{\"tags\":[\"a\"],\"price\":1.25e1,\"name\":\"caf\\u00e9\"}").toHex())
                .isEqualTo(GOLDEN_HASH);
        assertThat(List.of(EntityDigest.bucket("42", 0), EntityDigest.bucket("42", 4), EntityDigest.bucket("42", 12)))
                .isEqualTo(GOLDEN_BUCKETS);
    }

    /**
     * Reproduced outside Java from the Javadoc alone, with Python's hashlib:
     * {@code sha256(pack(">I",5) + b"items" + pack(">I",2) + b"42" + '{"name":"café","price":125e-1,"tags":["a"]}'
     * .encode()).hexdigest()[:32]}, and the buckets from {@code sha256(b"42").digest()[:4]}.
     */
    static final String GOLDEN_HASH = "d0d2c9a40aace346aeb1d87a05d7deb4";
    static final List<Integer> GOLDEN_BUCKETS = List.of(0, 7, 1844);

    @Test
    @DisplayName("bad data and bad bucket bits are refused with a clear error")
    void refusals() {
        assertThatThrownBy(() -> EntityDigest.hash("items", "1", "{\"a\":1,\"a\":2}"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> EntityDigest.canonicalData("{"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> EntityDigest.bucket("1", 13))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 0 to 12");
        assertThatThrownBy(() -> DigestHash.fromHex("xyz")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("32 hexadecimal digits");
    }

    @Test
    @DisplayName("an empty type digest has every bucket empty; bits suit the count")
    void emptyAndBits() {
        TypeDigest empty = TypeDigest.empty("items", 3);
        assertThat(empty.buckets()).hasSize(8).containsOnly(TypeDigest.Bucket.EMPTY);
        assertThat(empty.count()).isZero();
        assertThat(empty.sum()).isEqualTo(DigestHash.ZERO);
        assertThat(TypeDigest.bitsFor(0)).isZero();
        assertThat(TypeDigest.bitsFor(256)).isZero();
        assertThat(TypeDigest.bitsFor(257)).isEqualTo(1);
        assertThat(TypeDigest.bitsFor(1_000_000)).isEqualTo(12);
        assertThatThrownBy(() -> TypeDigest.empty("items", 2).differingBuckets(TypeDigest.empty("items", 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
