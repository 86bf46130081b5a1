package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.server.feed.TableProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A captured table as capture must know it to follow its changes: its columns (name, type, type
 * modifier, in order, generated columns left out as pgoutput leaves them out), its primary key, and
 * its replica identity. Two shapes with the same {@link #text()} render rows the same way; any other
 * difference (a column added, dropped, renamed or retyped, another key) is a schema change a merge of
 * later changes into stored entities cannot follow, so capture writes a table refresh marker.
 *
 * @param schema the table's schema
 * @param name the table's name
 * @param columns its columns in order
 * @param primaryKey its primary key columns in key order; empty when it has none
 * @param replicaIdentity {@code relreplident}: {@code d} default, {@code f} full, {@code i} index, {@code n} nothing
 * @param identityColumns for {@code i}, the columns of the replica identity index
 */
record TableShape(String schema, String name, List<Column> columns, List<String> primaryKey, char replicaIdentity,
                  List<String> identityColumns) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One column: name, type OID and {@code atttypmod}. */
    record Column(String name, long typeOid, int typeModifier) {
        Column {
            requireNonNull(name, "name is null");
        }
    }

    TableShape {
        requireNonNull(schema, "schema is null");
        requireNonNull(name, "name is null");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        identityColumns = List.copyOf(identityColumns);
    }

    /** The entity type of the table's changes: the name in schema public, else {@code schema.table}. */
    String entityType() {
        return schema.equals("public") ? name : schema + "." + name;
    }

    String qualifiedName() {
        return schema + "." + name;
    }

    /** The shape as capture records it: columns and key, as JSON text. */
    String text() {
        Map<String, Object> shape = new LinkedHashMap<>();
        List<List<Object>> cols = new ArrayList<>();
        for (Column column : columns) {
            cols.add(List.of(column.name(), column.typeOid(), column.typeModifier()));
        }
        shape.put("columns", cols);
        shape.put("key", primaryKey);
        try {
            return JSON.writeValueAsString(shape);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the shape of " + qualifiedName(), e);
        }
    }

    /**
     * Why the table cannot be captured correctly, and the fix; empty when it can.
     *
     * <p>The rule: the entity id is the primary key. A table without one is refused, whatever its
     * replica identity: with {@code REPLICA IDENTITY FULL} the whole row could serve as key, but two equal
     * rows (which a table without a key may hold) would be one entity, and every update would move the
     * entity to a new id, so the client could not equal the source row by row. {@code REPLICA IDENTITY
     * NOTHING} is refused because deletes and key changes would reach capture without the old key. An
     * identity index on other columns than the primary key is refused because the old key of an update
     * or delete would be those columns, not the entity id.
     */
    Optional<TableProblem> problem() {
        String table = qualifiedName();
        String quoted = PublicationManager.quote(schema) + "." + PublicationManager.quote(name);
        if (primaryKey.isEmpty()) {
            String identity = switch (replicaIdentity) {
                case 'f' -> "REPLICA IDENTITY FULL";
                case 'n' -> "REPLICA IDENTITY NOTHING";
                case 'i' -> "REPLICA IDENTITY USING INDEX";
                default -> "REPLICA IDENTITY DEFAULT";
            };
            return Optional.of(new TableProblem(table, entityType(), "it has no primary key (and " + identity
                    + "); Tidemark identifies entities by the primary key, and a table without one may hold equal rows"
                    + " that no client store can tell apart", "ALTER TABLE " + quoted + " ADD PRIMARY KEY (<columns>)"
                    + (replicaIdentity == 'd' || replicaIdentity == 'f' ? "" : " and ALTER TABLE " + quoted
                    + " REPLICA IDENTITY DEFAULT")
                    + "; capture then picks it up by itself and clients reload it, or remove it from the capture set"));
        }
        if (replicaIdentity == 'n') {
            return Optional.of(new TableProblem(table, entityType(), "its REPLICA IDENTITY is NOTHING: deletes and"
                    + " key changes would reach capture without the old key", "ALTER TABLE " + quoted
                    + " REPLICA IDENTITY DEFAULT; capture then picks it up by itself and clients reload it"));
        }
        if (replicaIdentity == 'i' && !identityColumns.equals(primaryKey)) {
            return Optional.of(new TableProblem(table, entityType(), "its REPLICA IDENTITY USING INDEX is on "
                    + identityColumns + ", not on the primary key " + primaryKey + ": deletes and key changes would"
                    + " carry the wrong old key", "ALTER TABLE " + quoted + " REPLICA IDENTITY DEFAULT; capture then"
                    + " picks it up by itself and clients reload it"));
        }
        return Optional.empty();
    }

    /**
     * What changed from {@code beforeText} to {@code nowText} (shapes as {@link #text()} renders them) of
     * table {@code table}, in words, for a marker's reason; {@code null} when they are the same.
     */
    static String difference(String table, String beforeText, String nowText) {
        if (beforeText == null) {
            return "table " + table + " entered the capture set";
        }
        if (nowText.equals(beforeText)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        try {
            JsonNode before = JSON.readTree(beforeText);
            JsonNode now = JSON.readTree(nowText);
            Map<String, String> oldColumns = columns(before);
            Map<String, String> newColumns = columns(now);
            List<String> added = new ArrayList<>(newColumns.keySet());
            added.removeAll(oldColumns.keySet());
            List<String> dropped = new ArrayList<>(oldColumns.keySet());
            dropped.removeAll(newColumns.keySet());
            List<String> retyped = new ArrayList<>();
            for (Map.Entry<String, String> column : newColumns.entrySet()) {
                String old = oldColumns.get(column.getKey());
                if (old != null && !old.equals(column.getValue())) {
                    retyped.add(column.getKey());
                }
            }
            if (!added.isEmpty()) {
                parts.add("column(s) " + added + " added");
            }
            if (!dropped.isEmpty()) {
                parts.add("column(s) " + dropped + " dropped");
            }
            if (!retyped.isEmpty()) {
                parts.add("type of " + retyped + " changed");
            }
            if (!before.path("key").equals(now.path("key"))) {
                parts.add("primary key " + before.path("key") + " -> " + now.path("key"));
            }
        } catch (JsonProcessingException e) {
            parts.clear();
        }
        if (parts.isEmpty()) {
            parts.add("columns reordered");
        }
        return "table " + table + " changed shape: " + String.join(", ", parts);
    }

    private static Map<String, String> columns(JsonNode shape) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (JsonNode column : shape.path("columns")) {
            columns.put(column.get(0).asText(), column.get(1).asText() + "/" + column.get(2).asText());
        }
        return columns;
    }

    /** The shape pgoutput's relation message describes, with the primary key looked up when the message does not tell it. */
    static TableShape of(Relation relation, PrimaryKeys keys) {
        List<Column> columns = new ArrayList<>();
        List<String> flagged = new ArrayList<>();
        for (Relation.Column column : relation.columns()) {
            columns.add(new Column(column.name(), Integer.toUnsignedLong(column.typeOid()), column.typeModifier()));
            if (column.key()) {
                flagged.add(column.name());
            }
        }
        char identity = relation.replicaIdentity();
        List<String> primaryKey = identity == 'd' ? flagged : keys.of(relation);
        return new TableShape(relation.namespace(), relation.name(), columns, primaryKey, identity,
                identity == 'i' ? flagged : List.of());
    }
}
