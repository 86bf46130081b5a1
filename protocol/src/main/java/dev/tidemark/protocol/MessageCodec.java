package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link Message}s into JSON text and back. Thread-safe; keep one.
 *
 * <p>Decoding is strict: input that is not a JSON object, an unknown {@code type}, a missing or
 * mistyped required field, a bad LSN or enum value, or a message that breaks its own rules all
 * raise a {@link ProtocolException} with the matching {@link ErrorCode}; nothing else escapes.
 * Unknown extra fields are ignored, so newer peers may add fields.
 */
public final class MessageCodec {

    /** Encodes a message as compact JSON text. */
    public String encode(Message message) {
        StringWriter out = new StringWriter(message instanceof Changes changes ? 256 + 192 * changes.data().size() : 128);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            write(message, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + message.type(), e);
        }
        return out.toString();
    }

    /**
     * Writes the same text as {@link #encode(Message)}, encoded in UTF-8, to {@code out} (which is not
     * closed): for a message on its way to the network, without the intermediate string (about a third
     * less CPU for a batch of changes). The bytes are the text's UTF-8, except that a lone surrogate
     * (which UTF-8 cannot carry) is written as its JSON escape, so it arrives as it was.
     *
     * @throws UncheckedIOException when {@code out} fails
     */
    public void encode(Message message, OutputStream out) {
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            write(message, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + message.type(), e);
        }
    }

    private static void write(Message message, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", message.type());
        writeFields(message, json);
        json.writeEndObject();
    }

    private static void writeFields(Message message, JsonGenerator json) throws IOException {
        if (message instanceof Hello m) {
            json.writeStringField("clientId", m.clientId());
            json.writeStringField("lastLSN", m.lastLsn().toString());
            if (m.historyId() != null) {
                json.writeStringField("historyId", m.historyId());
            }
            json.writeNumberField("protocolVersion", m.protocolVersion());
            writeStrings(json, "capabilities", m.capabilities());
            writeStrings(json, "subscriptions", m.subscriptions());
            if (m.heldEntityTypes() != null) {
                writeStrings(json, "heldEntityTypes", m.heldEntityTypes());
            }
        } else if (message instanceof Welcome m) {
            json.writeStringField("historyId", m.historyId());
            json.writeStringField("serverLsn", m.serverLsn().toString());
            json.writeNumberField("protocolVersion", m.protocolVersion());
            json.writeNumberField("window", m.window());
            if (!m.incompleteEntityTypes().isEmpty()) {
                writeStrings(json, "incompleteEntityTypes", m.incompleteEntityTypes());
            }
        } else if (message instanceof Changes m) {
            json.writeStringField("batchId", m.batchId());
            json.writeStringField("prevLsn", m.prevLsn().toString());
            json.writeStringField("lsn", m.lsn().toString());
            json.writeStringField("checksum", Checksum.toHex(m.checksum()));
            if (m.part() != null) {
                json.writeNumberField("part", m.part());
                json.writeBooleanField("last", m.last());
            }
            if (m.snapshot() != null) {
                SnapshotInfo info = m.snapshot();
                json.writeObjectFieldStart("snapshot");
                writeStrings(json, "entityTypes", info.entityTypes());
                json.writeNumberField("rowsSent", info.rowsSent());
                if (info.rowsEstimated() != null) {
                    json.writeNumberField("rowsEstimated", info.rowsEstimated());
                }
                if (info.logChecksum() != null) {
                    json.writeStringField("logChecksum", Checksum.toHex(info.logChecksum()));
                }
                json.writeEndObject();
            }
            json.writeArrayFieldStart("data");
            TimestampText timestamps = new TimestampText();
            for (Change change : m.data()) {
                writeChange(json, change, timestamps);
            }
            json.writeEndArray();
        } else if (message instanceof SyncAck m) {
            json.writeStringField("clientId", m.clientId());
            json.writeStringField("lsn", m.lsn().toString());
            json.writeStringField("status", m.status().wireName());
            if (m.error() != null) {
                json.writeStringField("error", m.error());
            }
            if (m.batchId() != null) {
                json.writeStringField("batchId", m.batchId());
            }
        } else if (message instanceof LsnCommitted m) {
            json.writeStringField("lsn", m.lsn().toString());
            if (m.batchId() != null) {
                json.writeStringField("batchId", m.batchId());
            }
        } else if (message instanceof SyncVerify m) {
            json.writeStringField("clientId", m.clientId());
            json.writeStringField("lastLSN", m.lastLsn().toString());
            if (m.checksum() != null) {
                json.writeStringField("checksum", Checksum.toHex(m.checksum()));
            }
        } else if (message instanceof SyncVerifyResult m) {
            json.writeStringField("status", m.status().wireName());
            json.writeStringField("lsn", m.lsn().toString());
            json.writeStringField("serverLsn", m.serverLsn().toString());
            if (m.retryAfterMs() != null) {
                json.writeNumberField("retryAfterMs", m.retryAfterMs());
            }
            if (m.snapshotLsn() != null) {
                json.writeStringField("snapshotLsn", m.snapshotLsn().toString());
            }
            if (m.snapshotChecksum() != null) {
                json.writeStringField("snapshotChecksum", Checksum.toHex(m.snapshotChecksum()));
            }
        } else if (message instanceof CaptureStatus m) {
            writeStrings(json, "incompleteEntityTypes", m.incompleteEntityTypes());
        } else if (message instanceof SourceAuditMessage m) {
            SourceAuditCodec.write(m, json);
        } else if (message instanceof ErrorMessage m) {
            json.writeStringField("code", m.code().wireName());
            json.writeStringField("message", m.message());
        }
    }

    /** Changes of one transaction share a commit time: format it once. */
    private static final class TimestampText {
        private Instant last;
        private String text;

        String of(Instant timestamp) {
            if (!timestamp.equals(last)) {
                last = timestamp;
                text = DateTimeFormatter.ISO_INSTANT.format(timestamp);
            }
            return text;
        }
    }

    private static void writeChange(JsonGenerator json, Change change, TimestampText timestamps) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", change.type().wireName());
        json.writeStringField("entityType", change.entityType());
        if (change.entityId() != null) {
            json.writeStringField("entityId", change.entityId());
        }
        if (change.fromId() != null) {
            json.writeStringField("fromId", change.fromId());
        }
        if (change.data() != null) {
            json.writeFieldName("data");
            // Data text is canonical JSON produced by this library; it is written as it is.
            json.writeRawValue(change.data());
        }
        json.writeStringField("timestamp", timestamps.of(change.timestamp()));
        json.writeEndObject();
    }

    private static void writeStrings(JsonGenerator json, String field, List<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /**
     * Decodes one message.
     *
     * @throws ProtocolException for anything that is not a valid protocol v1 message
     */
    public Message decode(String text) {
        if (text == null) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "message is null");
        }
        ParsedMessage parsed;
        try (JsonParser parser = Json.MAPPER.createParser(text)) {
            parsed = ParsedMessage.read(parser, text);
        } catch (StreamConstraintsException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "message exceeds a JSON limit: "
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "message is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "message is not valid JSON: " + e, e);
        }
        if (parsed == null) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "a message must be a JSON object");
        }
        ObjectNode root = parsed.root();
        Fields fields = new Fields(root, "");
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "message has no 'type' text field");
        }
        return switch (type.textValue()) {
            case Hello.TYPE -> new Hello(fields.text("clientId"), fields.lsn("lastLSN"),
                    fields.optionalText("historyId"), fields.integer("protocolVersion"),
                    fields.optionalTexts("capabilities"), fields.optionalTexts("subscriptions"),
                    fields.object().has("heldEntityTypes") && !fields.object().get("heldEntityTypes").isNull()
                            ? fields.optionalTexts("heldEntityTypes") : null);
            case Welcome.TYPE -> new Welcome(fields.text("historyId"), fields.lsn("serverLsn"),
                    fields.integer("protocolVersion"), fields.integer("window"),
                    fields.optionalTexts("incompleteEntityTypes"));
            case Changes.TYPE -> decodeChanges(fields, parsed.items());
            case SyncAck.TYPE -> new SyncAck(fields.text("clientId"), fields.lsn("lsn"),
                    fields.enumValue("status", AckStatus.class), fields.optionalText("error"),
                    fields.optionalText("batchId"));
            case LsnCommitted.TYPE -> new LsnCommitted(fields.lsn("lsn"), fields.optionalText("batchId"));
            case SyncVerify.TYPE -> new SyncVerify(fields.text("clientId"), fields.lsn("lastLSN"),
                    fields.optionalChecksum("checksum"));
            case SyncVerifyResult.TYPE -> new SyncVerifyResult(fields.enumValue("status", VerifyStatus.class),
                    fields.lsn("lsn"), fields.lsn("serverLsn"), fields.optionalLong("retryAfterMs"),
                    fields.optionalLsn("snapshotLsn"), fields.optionalChecksum("snapshotChecksum"));
            case CaptureStatus.TYPE -> new CaptureStatus(fields.optionalTexts("incompleteEntityTypes"));
            case SourceVerify.TYPE, SourceDigest.TYPE, SourceDiff.TYPE, SourceNarrow.TYPE, SourceEntries.TYPE,
                    SourceVerifyResult.TYPE -> SourceAuditCodec.decode(type.textValue(), fields);
            case ErrorMessage.TYPE -> new ErrorMessage(fields.enumValue("code", ErrorCode.class),
                    fields.text("message"));
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + abbreviate(type.textValue()) + "'");
        };
    }

    private static Changes decodeChanges(Fields fields, List<ParsedMessage.Item> items) {
        if (items == null) {
            fields.node("data"); // missing; an array would have been read into items
            throw fields.mistyped("data", "an array");
        }
        List<Change> changes = new ArrayList<>(items.size());
        ParsedTimestamps timestamps = new ParsedTimestamps();
        for (int i = 0; i < items.size(); i++) {
            ParsedMessage.Item item = items.get(i);
            Change change = item.texts() == null ? null : plainChange(item.texts(), item.data(), timestamps);
            if (change == null) {
                ObjectNode tree = item.tree();
                if (tree == null) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'data[" + i + "]' must be an object");
                }
                change = decodeChange(new Fields(tree, "data[" + i + "]."), item.data(), timestamps);
            }
            changes.add(change);
        }
        Integer part = fields.optionalInteger("part");
        Boolean last = fields.optionalBoolean("last");
        SnapshotInfo snapshot = null;
        JsonNode info = fields.object().get("snapshot");
        if (info != null && !info.isNull()) {
            if (!info.isObject()) {
                throw fields.mistyped("snapshot", "an object");
            }
            Fields snap = new Fields(info, "snapshot.");
            Long rowsSent = snap.optionalLong("rowsSent");
            snapshot = new SnapshotInfo(snap.optionalTexts("entityTypes"), rowsSent == null ? 0 : rowsSent,
                    snap.optionalLong("rowsEstimated"), snap.optionalChecksum("logChecksum"));
        }
        return new Changes(fields.text("batchId"), fields.lsn("prevLsn"), fields.lsn("lsn"),
                Checksum.fromHex(fields.text("checksum")), part, last, changes, snapshot);
    }

    /**
     * The change of an item whose members are all strings (what a Tidemark server sends), when it is a
     * valid one; null when anything about it is not, for {@link #decodeChange} to check field by field
     * and name what is wrong. Accepts exactly what {@link #decodeChange} accepts, and makes the same change.
     */
    private static Change plainChange(ParsedMessage.ChangeTexts texts, String rawData, ParsedTimestamps timestamps) {
        String entityType = texts.entityType();
        if (texts.type() == null || entityType == null || entityType.isEmpty()
                || entityType.length() > Validation.MAX_ID_LENGTH || texts.timestamp() == null) {
            return null;
        }
        Instant timestamp = timestamps.of(texts.timestamp());
        if (timestamp == null) {
            return null;
        }
        String entityId = texts.entityId();
        String fromId = texts.fromId();
        return switch (texts.type()) {
            case "update" -> entityId != null && fromId == null && rawData != null
                    ? Change.update(entityType, entityId, canonical(rawData), timestamp) : null;
            case "delete" -> entityId != null && fromId == null
                    ? Change.delete(entityType, entityId, rawData != null ? canonical(rawData) : null, timestamp) : null;
            case "move" -> entityId != null && fromId != null && rawData != null
                    ? Change.move(entityType, fromId, entityId, canonical(rawData), timestamp) : null;
            case "truncate" -> entityId == null && fromId == null && rawData == null
                    ? Change.truncate(entityType, timestamp) : null;
            default -> null;
        };
    }

    /** Changes of one transaction share a commit time: parse its text once. */
    private static final class ParsedTimestamps {
        private String lastText;
        private Instant last;

        /** The instant of {@code text}, or null when it is no ISO-8601 timestamp with offset. */
        Instant of(String text) {
            if (text.equals(lastText)) {
                return last;
            }
            try {
                last = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
            lastText = text;
            return last;
        }

        Instant of(Fields fields, String field) {
            JsonNode node = fields.object().get(field);
            if (lastText != null && node != null && node.isTextual() && node.textValue().equals(lastText)) {
                return last;
            }
            last = fields.timestamp(field);
            lastText = node.textValue();
            return last;
        }
    }

    /**
     * {@code rawData}: the text of the change's {@code data} member as it arrived when it is an object
     * (then not in {@code fields}), else null.
     */
    private static Change decodeChange(Fields fields, String rawData, ParsedTimestamps timestamps) {
        ChangeType type = fields.enumValue("type", ChangeType.class);
        String entityType = fields.text("entityType");
        Instant timestamp = timestamps.of(fields, "timestamp");
        if (type == ChangeType.TRUNCATE) {
            if (fields.optionalText("entityId") != null || rawData != null || fields.optionalObject("data") != null
                    || fields.optionalText("fromId") != null) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD,
                        "a truncate in '" + fields.path() + "' carries no entityId, no fromId and no data");
            }
            return Change.truncate(entityType, timestamp);
        }
        String entityId = fields.text("entityId");
        Validation.requiredId(entityType, fields.path() + "entityType");
        if (type == ChangeType.MOVE) {
            if (fields.optionalText("fromId") == null) {
                throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing required field '" + fields.path()
                        + "fromId': a move names the entity's previous key in fromId");
            }
            String fromId = fields.text("fromId");
            return Change.move(entityType, fromId, entityId, data(rawData, fields), timestamp);
        }
        if (fields.optionalText("fromId") != null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + fields.path()
                    + "fromId' belongs only to a move; a " + type.wireName() + " carries none");
        }
        if (type == ChangeType.UPDATE) {
            return Change.update(entityType, entityId, data(rawData, fields), timestamp);
        }
        return Change.delete(entityType, entityId, rawData != null ? canonical(rawData) : fields.optionalObject("data"),
                timestamp);
    }

    /** The change's required {@code data} object, canonical. */
    private static String data(String rawData, Fields fields) {
        return rawData != null ? canonical(rawData) : fields.object("data");
    }

    /**
     * Entity data as it arrived when it is already canonical (what every Tidemark server sends: no tree
     * is built for it), else its canonical text; either way what {@link Json#canonicalObject} makes of it.
     */
    private static String canonical(String rawObject) {
        return CanonicalJsonText.isCanonical(rawObject) ? rawObject : Json.canonicalObject(rawObject);
    }

    static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }

    /** Typed access to one JSON object's fields, with protocol errors naming the field. */
    record Fields(JsonNode object, String path) {

        JsonNode node(String field) {
            JsonNode value = object.get(field);
            if (value == null || value.isNull()) {
                throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing required field '" + path + field + "'");
            }
            return value;
        }

        ProtocolException mistyped(String field, String expected) {
            return new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + path + field + "' must be " + expected);
        }

        private boolean absent(String field) {
            JsonNode value = object.get(field);
            return value == null || value.isNull();
        }

        String text(String field) {
            JsonNode value = node(field);
            if (!value.isTextual()) {
                throw mistyped(field, "a string");
            }
            return value.textValue();
        }

        String optionalText(String field) {
            return absent(field) ? null : text(field);
        }

        int integer(String field) {
            JsonNode value = node(field);
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw mistyped(field, "a 32-bit integer");
            }
            return value.intValue();
        }

        Integer optionalInteger(String field) {
            return absent(field) ? null : integer(field);
        }

        Boolean optionalBoolean(String field) {
            if (absent(field)) {
                return null;
            }
            JsonNode value = node(field);
            if (!value.isBoolean()) {
                throw mistyped(field, "true or false");
            }
            return value.booleanValue();
        }

        Lsn lsn(String field) {
            JsonNode value = node(field);
            if (!value.isTextual()) {
                throw new ProtocolException(ErrorCode.INVALID_LSN,
                        "field '" + path + field + "' must be an LSN string such as 0/1715F70");
            }
            try {
                return Lsn.parse(value.textValue());
            } catch (ProtocolException e) {
                throw new ProtocolException(ErrorCode.INVALID_LSN, "field '" + path + field + "': " + e.getMessage());
            }
        }

        Long optionalLong(String field) {
            if (absent(field)) {
                return null;
            }
            JsonNode value = node(field);
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw mistyped(field, "a 64-bit integer");
            }
            return value.longValue();
        }

        Lsn optionalLsn(String field) {
            return absent(field) ? null : lsn(field);
        }

        Long optionalChecksum(String field) {
            return absent(field) ? null : Checksum.fromHex(text(field));
        }

        List<String> optionalTexts(String field) {
            if (absent(field)) {
                return List.of();
            }
            JsonNode value = node(field);
            if (!value.isArray()) {
                throw mistyped(field, "an array of strings");
            }
            List<String> texts = new ArrayList<>(value.size());
            for (JsonNode element : value) {
                if (!element.isTextual()) {
                    throw mistyped(field, "an array of strings");
                }
                texts.add(element.textValue());
            }
            return texts;
        }

        <E extends Enum<E>> E enumValue(String field, Class<E> type) {
            String wire = text(field);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(wire) && wire.equals(wire.toLowerCase(java.util.Locale.ROOT))) {
                    return constant;
                }
            }
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "field '" + path + field + "' has unknown value '" + abbreviate(wire) + "'");
        }

        String object(String field) {
            JsonNode value = node(field);
            if (!value.isObject()) {
                throw mistyped(field, "a JSON object");
            }
            return Json.canonical(value);
        }

        String optionalObject(String field) {
            return absent(field) ? null : object(field);
        }

        Instant timestamp(String field) {
            String text = text(field);
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + path + field
                        + "' must be an ISO-8601 timestamp with offset, such as 2026-01-02T03:04:05.678Z");
            }
        }
    }
}
