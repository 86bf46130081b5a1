package dev.tidemark.server.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.SnapshotSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open snapshot, read in keyset pages inside its {@code REPEATABLE READ} transaction: each page is
 * {@code SELECT ... WHERE (key) > (last key read) ORDER BY key LIMIT n}, so at most one page of rows is held
 * (its row count shrinks when rows are large) and a snapshot can be narrowed to some entities or a key range
 * ({@link SnapshotSelection}). Used by one thread.
 */
final class KeysetSnapshot implements SnapshotSource.Snapshot {

    private static final Logger log = LoggerFactory.getLogger(KeysetSnapshot.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** About this many bytes of row text per page; the page's row count adapts to it. */
    private static final long PAGE_BYTES = 4L << 20;
    /** Key kinds whose entity-id text PostgreSQL reads back as the same key: lookups by id are exact. */
    private static final Set<PgType.Kind> ID_KINDS = EnumSet.of(PgType.Kind.INTEGER, PgType.Kind.DECIMAL,
            PgType.Kind.BOOLEAN, PgType.Kind.TEXT);

    private final Connection connection;
    private final Lsn position;
    private final List<Relation> tables;
    private final Instant time;
    private final long estimatedRows;
    private final SnapshotSelection selection;
    private final int pageRows;
    private final ChangeFactory factory;
    private final ArrayDeque<Change> buffer = new ArrayDeque<>();
    private int nextTable;
    private boolean truncatesSent;
    private Relation table;
    private RelationShape shape;
    private String[] keyCasts;
    private String[] lastKey;
    private boolean tableDone = true;
    private int nextId;
    private int rowsPerPage;
    private int largestPage;

    /** @param pageRows the most rows a page holds */
    KeysetSnapshot(Connection connection, Lsn position, List<Relation> tables, Instant time, long estimatedRows,
                   SnapshotSelection selection, int pageRows) {
        this.connection = connection;
        this.position = position;
        this.tables = tables;
        this.time = time;
        this.estimatedRows = estimatedRows;
        this.selection = selection;
        this.pageRows = pageRows;
        this.rowsPerPage = pageRows;
        this.factory = new ChangeFactory(new TypeCatalog(connection), PrimaryKeys.from(connection));
    }

    @Override
    public Lsn position() {
        return position;
    }

    @Override
    public List<String> entityTypes() {
        return tables.stream().map(Relation::entityType).toList();
    }

    @Override
    public OptionalLong estimatedRows() {
        if (selection instanceof SnapshotSelection.Entities entities) {
            return OptionalLong.of(entities.ids().size());
        }
        return selection instanceof SnapshotSelection.Whole ? OptionalLong.of(estimatedRows) : OptionalLong.empty();
    }

    /** Opens the table of a narrowed snapshot now, so that a bad id or bound is refused before any row is read. */
    void start() throws SQLException {
        if (!(selection instanceof SnapshotSelection.Whole) && nextTable == 0) {
            openNextTable();
        }
    }

    /** The most rows one page held so far (the memory bound, in rows). */
    int largestPage() {
        return largestPage;
    }

    @Override
    public List<Change> next(int max, long maxBytes) {
        List<Change> changes = new ArrayList<>();
        long bytes = 0;
        if (!truncatesSent) {
            truncatesSent = true;
            if (selection instanceof SnapshotSelection.Whole) {
                for (Relation relation : tables) {
                    changes.add(Change.truncate(relation.entityType(), time));
                    bytes += 96 + relation.entityType().length();
                }
            }
        }
        try {
            while (changes.size() < max && (changes.isEmpty() || bytes < maxBytes)) {
                if (buffer.isEmpty() && !fill()) {
                    break;
                }
                Change change = buffer.poll();
                bytes += size(change);
                changes.add(change);
            }
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.SOURCE, "reading the snapshot failed: " + e.getMessage(), e);
        }
        return changes;
    }

    private static long size(Change change) {
        return 96 + change.entityType().length() + (change.entityId() == null ? 0 : change.entityId().length())
                + (change.data() == null ? 0 : change.data().length());
    }

    /** Reads pages until the buffer holds changes; false when every table is done. */
    private boolean fill() throws SQLException {
        while (buffer.isEmpty()) {
            if (tableDone && !openNextTable()) {
                return false;
            }
            if (selection instanceof SnapshotSelection.Entities entities) {
                readEntities(entities.ids());
            } else {
                readPage();
            }
        }
        return true;
    }

    private boolean openNextTable() throws SQLException {
        if (nextTable >= tables.size()) {
            return false;
        }
        table = tables.get(nextTable++);
        factory.relation(table);
        shape = factory.shape(table.oid());
        keyCasts = new String[shape.keyColumns().length];
        try (PreparedStatement select = connection.prepareStatement("SELECT format_type(atttypid, atttypmod)"
                + " FROM pg_attribute WHERE attrelid = ? AND attname = ?")) {
            for (int i = 0; i < keyCasts.length; i++) {
                select.setLong(1, Integer.toUnsignedLong(table.oid()));
                select.setString(2, table.columns().get(shape.keyColumns()[i]).name());
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    keyCasts[i] = row.getString(1);
                }
            }
        }
        lastKey = null;
        nextId = 0;
        tableDone = false;
        // Bad ids or bounds are refused before anything of the table is read.
        if (selection instanceof SnapshotSelection.Entities entities) {
            entities.ids().forEach(this::keyValues);
        } else if (selection instanceof SnapshotSelection.KeyRange range) {
            if (range.firstId() != null) {
                keyValues(range.firstId());
            }
            if (range.lastId() != null) {
                keyValues(range.lastId());
            }
        }
        return true;
    }

    /** The next page of the table in key order, within the selection's key range. */
    private void readPage() throws SQLException {
        StringBuilder sql = select().append(" WHERE TRUE");
        List<String> parameters = new ArrayList<>();
        if (lastKey != null) {
            sql.append(" AND ").append(keyTuple()).append(" > ").append(parameterTuple());
            parameters.addAll(List.of(lastKey));
        }
        if (selection instanceof SnapshotSelection.KeyRange range) {
            if (range.firstId() != null) {
                sql.append(" AND ").append(keyTuple()).append(" >= ").append(parameterTuple());
                parameters.addAll(keyValues(range.firstId()));
            }
            if (range.lastId() != null) {
                sql.append(" AND ").append(keyTuple()).append(" <= ").append(parameterTuple());
                parameters.addAll(keyValues(range.lastId()));
            }
        }
        sql.append(" ORDER BY ");
        for (int i = 0; i < keyCasts.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(quotedKey(i));
        }
        sql.append(" LIMIT ").append(rowsPerPage);
        int read = 0;
        long bytes = 0;
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setString(i + 1, parameters.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String[] values = values(rows);
                    Change row = factory.upsert(shape, tuple(values), time);
                    buffer.add(row);
                    bytes += size(row);
                    read++;
                    lastKey = new String[keyCasts.length];
                    for (int i = 0; i < keyCasts.length; i++) {
                        lastKey[i] = values[shape.keyColumns()[i]];
                    }
                }
            }
        }
        largestPage = Math.max(largestPage, read);
        if (read < rowsPerPage) {
            tableDone = true;
        }
        if (read > 0) {
            long perRow = Math.max(1, bytes / read);
            rowsPerPage = (int) Math.max(1, Math.min(pageRows, PAGE_BYTES / perRow));
        }
    }

    /** The next chunk of the selected entities: their rows, then a delete of each id without a row. */
    private void readEntities(List<String> ids) throws SQLException {
        if (nextId >= ids.size()) {
            tableDone = true;
            return;
        }
        List<String> chunk = ids.subList(nextId, Math.min(ids.size(), nextId + rowsPerPage));
        nextId += chunk.size();
        StringBuilder sql = select().append(" WHERE ").append(keyTuple()).append(" IN (");
        List<String> parameters = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(parameterTuple());
            parameters.addAll(keyValues(chunk.get(i)));
        }
        sql.append(')');
        Set<String> found = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setString(i + 1, parameters.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Change row = factory.upsert(shape, tuple(values(rows)), time);
                    found.add(row.entityId());
                    buffer.add(row);
                }
            }
        }
        largestPage = Math.max(largestPage, chunk.size());
        for (String id : chunk) {
            if (!found.contains(id)) {
                buffer.add(Change.delete(table.entityType(), id, time));
            }
        }
        if (nextId >= ids.size()) {
            tableDone = true;
        }
    }

    private StringBuilder select() {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < table.columns().size(); i++) {
            // Each column as it is: on a connection reading text results (SourceSettings.connectReadingText) its
            // value arrives as the type's output function writes it, as pgoutput sends it; a ::text cast would
            // not (char(n) loses its padding, inet hosts gain a netmask, booleans read true/false), and
            // format('%s', …), which would, costs the source about twice the CPU of the plain select.
            sql.append(i == 0 ? "" : ", ").append(quote(table.columns().get(i).name()));
        }
        if (table.columns().isEmpty()) {
            sql.append("NULL");
        }
        return sql.append(" FROM ").append(quote(table.namespace())).append('.').append(quote(table.name()));
    }

    private String[] values(ResultSet rows) throws SQLException {
        int width = shape.types().length;
        String[] values = new String[width];
        for (int column = 0; column < width; column++) {
            values[column] = rows.getString(column + 1);
        }
        return values;
    }

    private static TupleData tuple(String[] values) {
        byte[] kinds = new byte[values.length];
        for (int column = 0; column < values.length; column++) {
            kinds[column] = values[column] == null ? TupleData.NULL : TupleData.TEXT;
        }
        return new TupleData(kinds, values);
    }

    private String quotedKey(int i) {
        return quote(table.columns().get(shape.keyColumns()[i]).name());
    }

    private String keyTuple() {
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < keyCasts.length; i++) {
            tuple.append(i == 0 ? "" : ", ").append(quotedKey(i));
        }
        return tuple.append(')').toString();
    }

    private String parameterTuple() {
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < keyCasts.length; i++) {
            tuple.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(keyCasts[i]).append(')');
        }
        return tuple.append(')').toString();
    }

    /** The key column values an entity id stands for, as PostgreSQL input text. */
    private List<String> keyValues(String entityId) {
        int[] keys = shape.keyColumns();
        for (int column : keys) {
            PgType.Kind kind = shape.types()[column].kind();
            if (!ID_KINDS.contains(kind)) {
                throw new IllegalArgumentException("the key column " + table.columns().get(column).name() + " of "
                        + table.qualifiedName() + " is " + kind + ": its entity ids cannot be looked up; snapshot"
                        + " the whole entity type instead");
            }
        }
        if (keys.length == 1) {
            return List.of(entityId);
        }
        JsonNode array;
        try {
            array = JSON.readTree(entityId);
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + entityId + "' is not an entity id of " + table.entityType()
                    + " (a JSON array of its " + keys.length + " key values)", e);
        }
        if (array == null || !array.isArray() || array.size() != keys.length) {
            throw new IllegalArgumentException("'" + entityId + "' is not an entity id of " + table.entityType()
                    + " (a JSON array of its " + keys.length + " key values)");
        }
        List<String> values = new ArrayList<>(keys.length);
        for (JsonNode value : array) {
            if (value.isNull() || value.isContainerNode()) {
                throw new IllegalArgumentException("'" + entityId + "' is not an entity id of " + table.entityType()
                        + ": a key value is null or not a scalar");
            }
            values.add(value.asText());
        }
        return values;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("ending the snapshot transaction failed: {}", e.toString());
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the snapshot connection failed: {}", e.toString());
        }
    }
}
