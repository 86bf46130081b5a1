package dev.tidemark.server.capture;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.tidemark.protocol.Change;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns decoded rows into protocol {@link Change}s: an insert or update becomes an {@code update}
 * (upsert) carrying the columns sent, without unchanged TOASTed ones; an update that changes the key
 * becomes a {@code move} from the old key, carrying the same columns; a delete carries the old key;
 * the entity id is the key as text (a composite key as a JSON array text). Used by the capture thread
 * only.
 */
final class ChangeFactory {

    private final TypeCatalog types;
    private final PrimaryKeys primaryKeys;
    private final ValueRenderer renderer = new ValueRenderer();
    private final Map<Integer, RelationShape> shapes = new HashMap<>();
    private final StringWriter out = new StringWriter(256);

    ChangeFactory(TypeCatalog types, PrimaryKeys primaryKeys) {
        this.types = types;
        this.primaryKeys = primaryKeys;
    }

    /** The schema of the change log's own tables, never captured (that would feed capture its own writes). */
    static final String OWN_SCHEMA = "tidemark";

    /** Learns (or relearns, after a schema change) a relation. */
    void relation(Relation relation) {
        shapes.put(relation.oid(), shape(relation));
    }

    /** Whether changes of the relation are captured; the change log's own tables are not. */
    static boolean captured(RelationShape shape) {
        return !shape.relation().namespace().equals(OWN_SCHEMA);
    }

    RelationShape shape(int relationOid) {
        RelationShape shape = shapes.get(relationOid);
        if (shape == null) {
            throw new CaptureException(CaptureError.DECODING, "change of relation " + Integer.toUnsignedString(relationOid)
                    + " arrived before its relation message");
        }
        return shape;
    }

    /** An {@code update} (upsert) with every column sent in {@code tuple}. */
    Change upsert(RelationShape shape, TupleData tuple, Instant time) {
        return Change.update(shape.entityType(), entityId(shape, tuple), rowData(shape, tuple), time);
    }

    /** A {@code delete} of the entity whose key is in {@code oldTuple}, carrying that key as data. */
    Change delete(RelationShape shape, TupleData oldTuple, Instant time) {
        return Change.delete(shape.entityType(), entityId(shape, oldTuple), keyData(shape, oldTuple), time);
    }

    /**
     * A {@code move} of the entity from the key in {@code oldTuple} to the key in {@code newTuple},
     * carrying the columns sent in {@code newTuple} (without unchanged TOASTed ones: the move keeps
     * the stored values of the columns it does not carry).
     */
    Change move(RelationShape shape, TupleData oldTuple, TupleData newTuple, Instant time) {
        String fromId = entityId(shape, oldTuple);
        String toId = entityId(shape, newTuple);
        return Change.move(shape.entityType(), fromId, toId, rowData(shape, newTuple), time);
    }

    /** Whether the two tuples hold the same key. */
    boolean sameKey(RelationShape shape, TupleData a, TupleData b) {
        for (int column : shape.keyColumns()) {
            if (b.kind(column) == TupleData.UNCHANGED) {
                continue;
            }
            if (a.kind(column) != TupleData.TEXT || b.kind(column) != TupleData.TEXT
                    || !a.value(column).equals(b.value(column))) {
                return false;
            }
        }
        return true;
    }

    String entityId(RelationShape shape, TupleData tuple) {
        int[] keys = shape.keyColumns();
        if (keys.length == 1) {
            int column = keys[0];
            return renderer.keyText(shape.types()[column], keyValue(shape, tuple, column));
        }
        return json(json -> {
            json.writeStartArray();
            for (int column : keys) {
                renderer.write(json, shape.types()[column], keyValue(shape, tuple, column));
            }
            json.writeEndArray();
        });
    }

    private static String keyValue(RelationShape shape, TupleData tuple, int column) {
        if (tuple.kind(column) != TupleData.TEXT) {
            throw new CaptureException(CaptureError.DECODING, "key column "
                    + shape.relation().columns().get(column).name() + " of " + shape.relation().qualifiedName()
                    + " is " + (tuple.kind(column) == TupleData.NULL ? "NULL" : "not sent")
                    + ": Tidemark needs the primary key of every row");
        }
        return tuple.value(column);
    }

    private String rowData(RelationShape shape, TupleData tuple) {
        checkWidth(shape, tuple);
        return json(json -> {
            json.writeStartObject();
            for (int column = 0; column < tuple.size(); column++) {
                byte kind = tuple.kind(column);
                if (kind == TupleData.UNCHANGED) {
                    continue;
                }
                json.writeFieldName(shape.names()[column]);
                if (kind == TupleData.NULL) {
                    json.writeNull();
                } else {
                    renderer.write(json, shape.types()[column], tuple.value(column));
                }
            }
            json.writeEndObject();
        });
    }

    private String keyData(RelationShape shape, TupleData tuple) {
        checkWidth(shape, tuple);
        return json(json -> {
            json.writeStartObject();
            for (int column : shape.keyColumns()) {
                json.writeFieldName(shape.names()[column]);
                renderer.write(json, shape.types()[column], keyValue(shape, tuple, column));
            }
            json.writeEndObject();
        });
    }

    private static void checkWidth(RelationShape shape, TupleData tuple) {
        if (tuple.size() != shape.types().length) {
            throw new CaptureException(CaptureError.DECODING, "a row of " + shape.relation().qualifiedName() + " has "
                    + tuple.size() + " columns but its relation message " + shape.types().length);
        }
    }

    @FunctionalInterface
    private interface JsonWriting {
        void write(JsonGenerator json) throws IOException;
    }

    private String json(JsonWriting writing) {
        out.getBuffer().setLength(0);
        try (JsonGenerator json = renderer.generator(out)) {
            writing.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a row as JSON", e);
        } catch (RuntimeException e) {
            if (e instanceof CaptureException) {
                throw e;
            }
            throw new CaptureException(CaptureError.DECODING, "cannot render a value: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private RelationShape shape(Relation relation) {
        List<Relation.Column> columns = relation.columns();
        PgType[] columnTypes = new PgType[columns.size()];
        SerializedString[] names = new SerializedString[columns.size()];
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            columnTypes[i] = types.type(columns.get(i).typeOid());
            names[i] = new SerializedString(columns.get(i).name());
            if (columns.get(i).key()) {
                keys.add(i);
            }
        }
        if (relation.replicaIdentity() == 'f' || keys.isEmpty()) {
            keys.clear();
            for (String name : primaryKeys.of(relation)) {
                for (int i = 0; i < columns.size(); i++) {
                    if (columns.get(i).name().equals(name)) {
                        keys.add(i);
                    }
                }
            }
        }
        if (keys.isEmpty() && relation.namespace().equals(OWN_SCHEMA)) {
            keys.add(0);
        }
        if (keys.isEmpty()) {
            throw new CaptureException(CaptureError.TABLE, "table " + relation.qualifiedName()
                    + " has no primary key: Tidemark identifies entities by it; add one"
                    + " (ALTER TABLE ... ADD PRIMARY KEY) or remove the table from the publication");
        }
        return new RelationShape(relation, columnTypes, names, keys.stream().mapToInt(Integer::intValue).toArray());
    }
}
