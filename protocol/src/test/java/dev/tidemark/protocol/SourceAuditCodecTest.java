package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The codec of the source verify messages")
class SourceAuditCodecTest {

    private final MessageCodec codec = new MessageCodec();
    private static final Lsn AT = Lsn.parse("0/16B3748");

    private static TypeDigest digest(String type, int bits, int entities) {
        TypeDigest.Builder builder = TypeDigest.builder(type, bits);
        for (int i = 0; i < entities; i++) {
            builder.add(String.valueOf(i), "{\"id\":" + i + "}");
        }
        return builder.build();
    }

    @Test
    @DisplayName("every message survives a round trip")
    void roundTrips() {
        BucketSet buckets = new BucketSet("items", 3, List.of(0, 5, 7));
        List<Message> messages = List.of(
                new SourceVerify("c1", List.of()),
                new SourceVerify("c1", List.of("items", "notes")),
                new SourceDigest(AT, List.of(digest("items", 3, 50), digest("notes", 0, 0))),
                new SourceDiff(AT, List.of()),
                new SourceDiff(AT, List.of(buckets, new BucketSet("notes", 0, List.of(0)))),
                new SourceNarrow(AT, buckets),
                new SourceEntries(AT, buckets, List.of(new EntityEntry("5", EntityDigest.hash("items", "5", "{}")),
                        new EntityEntry("9", new DigestHash(-1, 7)))),
                new SourceEntries(AT, buckets, List.of()),
                new SourceVerifyResult(SourceVerifyStatus.AGREE, AT, List.of(), null),
                new SourceVerifyResult(SourceVerifyStatus.REPAIRED, AT,
                        List.of(new RepairedEntities("items", List.of("13", "5"))), null),
                SourceVerifyResult.failed(Lsn.ZERO, "too many verify requests: retry in 5 ms"));
        for (Message message : messages) {
            assertThat(codec.decode(codec.encode(message))).as(codec.encode(message)).isEqualTo(message);
        }
    }

    @Test
    @DisplayName("a digest is sent as counts and sums per bucket")
    void digestWireForm() {
        String text = codec.encode(new SourceDigest(AT, List.of(TypeDigest.empty("t", 1))));
        assertThat(text).isEqualTo("{\"type\":\"source_digest\",\"lsn\":\"0/16B3748\",\"digests\":[{\"entityType\":\"t\","
                + "\"bucketBits\":1,\"counts\":[0,0],\"sums\":[\"00000000000000000000000000000000\","
                + "\"00000000000000000000000000000000\"]}]}");
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("malformed input is refused with a code and a message naming the problem")
    @CsvSource(delimiter = '|', value = {
        "bucket count does not match the bits|{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":1,\"counts\":[0],\"sums\":[\"00000000000000000000000000000000\"]}]}|INVALID_FIELD|must each hold 2 buckets",
        "a sum that is not a digest|{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":0,\"counts\":[1],\"sums\":[\"xyz\"]}]}|INVALID_FIELD|invalid digest",
        "a negative count|{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":0,\"counts\":[-1],\"sums\":[\"00000000000000000000000000000000\"]}]}|INVALID_FIELD|counts[0]",
        "bits out of range|{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":13,\"counts\":[],\"sums\":[]}]}|INVALID_FIELD|bucketBits",
        "a type twice|{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":0,\"counts\":[0],\"sums\":[\"00000000000000000000000000000000\"]},{\"entityType\":\"t\",\"bucketBits\":0,\"counts\":[0],\"sums\":[\"00000000000000000000000000000000\"]}]}|INVALID_FIELD|twice",
        "digests missing|{\"type\":\"source_digest\",\"lsn\":\"0/1\"}|MISSING_FIELD|digests",
        "a bad lsn|{\"type\":\"source_diff\",\"lsn\":\"nope\",\"buckets\":[]}|INVALID_LSN|lsn",
        "buckets not ascending|{\"type\":\"source_diff\",\"lsn\":\"0/1\",\"buckets\":[{\"entityType\":\"t\",\"bucketBits\":2,\"buckets\":[3,1]}]}|INVALID_FIELD|ascend",
        "a bucket beyond the bits|{\"type\":\"source_narrow\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":2,\"buckets\":[4]}|INVALID_FIELD|ascend",
        "no buckets|{\"type\":\"source_narrow\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":2,\"buckets\":[]}|INVALID_FIELD|empty",
        "a bucket that is not a number|{\"type\":\"source_narrow\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":2,\"buckets\":[\"1\"]}|INVALID_FIELD|bucket numbers",
        "an entry twice|{\"type\":\"source_entries\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":0,\"buckets\":[0],\"entries\":[{\"entityId\":\"1\",\"hash\":\"00000000000000000000000000000000\"},{\"entityId\":\"1\",\"hash\":\"00000000000000000000000000000001\"}]}|INVALID_FIELD|twice",
        "an entry that is not an object|{\"type\":\"source_entries\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":0,\"buckets\":[0],\"entries\":[1]}|INVALID_FIELD|entries[0]",
        "an entry without a hash|{\"type\":\"source_entries\",\"lsn\":\"0/1\",\"entityType\":\"t\",\"bucketBits\":0,\"buckets\":[0],\"entries\":[{\"entityId\":\"1\"}]}|MISSING_FIELD|entries[0].hash",
        "an unknown status|{\"type\":\"source_verify_result\",\"status\":\"fine\",\"lsn\":\"0/1\"}|INVALID_FIELD|status",
        "repaired without entities|{\"type\":\"source_verify_result\",\"status\":\"repaired\",\"lsn\":\"0/1\",\"repaired\":[]}|INVALID_FIELD|repaired",
        "failed without a message|{\"type\":\"source_verify_result\",\"status\":\"failed\",\"lsn\":\"0/1\"}|INVALID_FIELD|message",
        "an empty entity type|{\"type\":\"source_verify\",\"clientId\":\"c\",\"entityTypes\":[\"\"]}|INVALID_FIELD|entityTypes",
        "no client id|{\"type\":\"source_verify\"}|MISSING_FIELD|clientId",
        "an unknown message type|{\"type\":\"source_verify_now\",\"clientId\":\"c\"}|UNKNOWN_TYPE|source_verify_now"})
    void malformedInputIsRefused(String what, String text, ErrorCode code, String mentions) {
        assertThatThrownBy(() -> codec.decode(text)).as(what).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(code)).hasMessageContaining(mentions);
    }

    @Test
    @DisplayName("a digest made coarser equals the digest taken at fewer bits")
    void coarserDigestEqualsTheDigestAtFewerBits() {
        TypeDigest fine = digest("items", EntityDigest.MAX_BUCKET_BITS, 3000);
        for (int bits = 0; bits <= EntityDigest.MAX_BUCKET_BITS; bits++) {
            assertThat(fine.coarser(bits)).as("%d bits", bits).isEqualTo(digest("items", bits, 3000));
        }
        assertThatThrownBy(() -> digest("items", 2, 3).coarser(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
