package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The wire form of the {@link SourceAuditMessage}s, for {@link MessageCodec}; strict like it. */
final class SourceAuditCodec {

    private SourceAuditCodec() {}

    static void write(SourceAuditMessage message, JsonGenerator json) throws IOException {
        if (message instanceof SourceVerify m) {
            json.writeStringField("clientId", m.clientId());
            if (!m.entityTypes().isEmpty()) {
                strings(json, "entityTypes", m.entityTypes());
            }
        } else if (message instanceof SourceDigest m) {
            json.writeStringField("lsn", m.lsn().toString());
            json.writeArrayFieldStart("digests");
            for (TypeDigest digest : m.digests()) {
                json.writeStartObject();
                json.writeStringField("entityType", digest.entityType());
                json.writeNumberField("bucketBits", digest.bucketBits());
                json.writeArrayFieldStart("counts");
                for (TypeDigest.Bucket bucket : digest.buckets()) {
                    json.writeNumber(bucket.count());
                }
                json.writeEndArray();
                json.writeArrayFieldStart("sums");
                for (TypeDigest.Bucket bucket : digest.buckets()) {
                    json.writeString(bucket.sum().toHex());
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
        } else if (message instanceof SourceDiff m) {
            json.writeStringField("lsn", m.lsn().toString());
            json.writeArrayFieldStart("buckets");
            for (BucketSet set : m.differing()) {
                json.writeStartObject();
                bucketFields(json, set);
                json.writeEndObject();
            }
            json.writeEndArray();
        } else if (message instanceof SourceNarrow m) {
            json.writeStringField("lsn", m.lsn().toString());
            bucketFields(json, m.buckets());
        } else if (message instanceof SourceEntries m) {
            json.writeStringField("lsn", m.lsn().toString());
            bucketFields(json, m.buckets());
            json.writeArrayFieldStart("entries");
            for (EntityEntry entry : m.entries()) {
                json.writeStartObject();
                json.writeStringField("entityId", entry.entityId());
                json.writeStringField("hash", entry.hash().toHex());
                json.writeEndObject();
            }
            json.writeEndArray();
        } else if (message instanceof SourceVerifyResult m) {
            json.writeStringField("status", m.status().wireName());
            json.writeStringField("lsn", m.lsn().toString());
            json.writeArrayFieldStart("repaired");
            for (RepairedEntities repaired : m.repaired()) {
                json.writeStartObject();
                json.writeStringField("entityType", repaired.entityType());
                strings(json, "entityIds", repaired.entityIds());
                json.writeEndObject();
            }
            json.writeEndArray();
            if (m.message() != null) {
                json.writeStringField("message", m.message());
            }
        }
    }

    private static void bucketFields(JsonGenerator json, BucketSet set) throws IOException {
        json.writeStringField("entityType", set.entityType());
        json.writeNumberField("bucketBits", set.bucketBits());
        json.writeArrayFieldStart("buckets");
        for (int bucket : set.buckets()) {
            json.writeNumber(bucket);
        }
        json.writeEndArray();
    }

    private static void strings(JsonGenerator json, String field, List<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    static SourceAuditMessage decode(String type, MessageCodec.Fields fields) {
        return switch (type) {
            case SourceVerify.TYPE -> new SourceVerify(fields.text("clientId"), fields.optionalTexts("entityTypes"));
            case SourceDigest.TYPE -> new SourceDigest(fields.lsn("lsn"), digests(fields));
            case SourceDiff.TYPE -> {
                List<BucketSet> sets = new ArrayList<>();
                for (MessageCodec.Fields item : objects(fields, "buckets")) {
                    sets.add(bucketSet(item));
                }
                yield new SourceDiff(fields.lsn("lsn"), sets);
            }
            case SourceNarrow.TYPE -> new SourceNarrow(fields.lsn("lsn"), bucketSet(fields));
            case SourceEntries.TYPE -> {
                List<EntityEntry> entries = new ArrayList<>();
                for (MessageCodec.Fields item : objects(fields, "entries")) {
                    entries.add(new EntityEntry(Validation.requiredId(item.text("entityId"), item.path() + "entityId"),
                            DigestHash.fromHex(item.text("hash"))));
                }
                yield new SourceEntries(fields.lsn("lsn"), bucketSet(fields), entries);
            }
            case SourceVerifyResult.TYPE -> {
                List<RepairedEntities> repaired = new ArrayList<>();
                if (fields.object().has("repaired") && !fields.object().get("repaired").isNull()) {
                    for (MessageCodec.Fields item : objects(fields, "repaired")) {
                        repaired.add(new RepairedEntities(item.text("entityType"), item.optionalTexts("entityIds")));
                    }
                }
                yield new SourceVerifyResult(fields.enumValue("status", SourceVerifyStatus.class), fields.lsn("lsn"),
                        repaired, fields.optionalText("message"));
            }
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + type + "'");
        };
    }

    private static List<TypeDigest> digests(MessageCodec.Fields fields) {
        List<TypeDigest> digests = new ArrayList<>();
        for (MessageCodec.Fields item : objects(fields, "digests")) {
            String entityType = Validation.requiredId(item.text("entityType"), item.path() + "entityType");
            int bits = item.integer("bucketBits");
            Validation.check(bits >= 0 && bits <= EntityDigest.MAX_BUCKET_BITS, "field '" + item.path()
                    + "bucketBits' must be 0 to " + EntityDigest.MAX_BUCKET_BITS);
            JsonNode counts = array(item, "counts");
            JsonNode sums = array(item, "sums");
            int size = 1 << bits;
            Validation.check(counts.size() == size && sums.size() == size, "field '" + item.path()
                    + "counts' and 'sums' must each hold " + size + " buckets for " + bits + " bucket bits");
            List<TypeDigest.Bucket> buckets = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                JsonNode count = counts.get(i);
                JsonNode sum = sums.get(i);
                Validation.check(count.isIntegralNumber() && count.canConvertToLong() && count.longValue() >= 0,
                        "field '" + item.path() + "counts[" + i + "]' must be a count (0 or more)");
                Validation.check(sum.isTextual(), "field '" + item.path() + "sums[" + i + "]' must be a digest string");
                buckets.add(new TypeDigest.Bucket(count.longValue(), DigestHash.fromHex(sum.textValue())));
            }
            digests.add(new TypeDigest(entityType, bits, buckets));
        }
        return digests;
    }

    private static BucketSet bucketSet(MessageCodec.Fields fields) {
        JsonNode buckets = array(fields, "buckets");
        List<Integer> values = new ArrayList<>(buckets.size());
        for (JsonNode bucket : buckets) {
            Validation.check(bucket.isIntegralNumber() && bucket.canConvertToInt(),
                    "field '" + fields.path() + "buckets' must be an array of bucket numbers");
            values.add(bucket.intValue());
        }
        return new BucketSet(fields.text("entityType"), fields.integer("bucketBits"), values);
    }

    private static JsonNode array(MessageCodec.Fields fields, String field) {
        JsonNode node = fields.node(field);
        if (!node.isArray()) {
            throw fields.mistyped(field, "an array");
        }
        return node;
    }

    private static List<MessageCodec.Fields> objects(MessageCodec.Fields fields, String field) {
        JsonNode node = array(fields, field);
        List<MessageCodec.Fields> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + fields.path() + field + "[" + i
                        + "]' must be an object");
            }
            items.add(new MessageCodec.Fields(item, fields.path() + field + "[" + i + "]."));
        }
        return items;
    }
}
