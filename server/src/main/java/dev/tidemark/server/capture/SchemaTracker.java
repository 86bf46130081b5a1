package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.TableProblem;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in front of the {@link TransactionAssembler} on the replication thread and keeps the set of
 * captured tables right:
 * <ul>
 *   <li>A relation message of a table that cannot be captured correctly (see {@link TableShape#problem()})
 *       excludes the table: its changes are dropped, and it shows in the capture health, instead of
 *       failing capture for every table.</li>
 *   <li>A relation message of a table capture does not follow yet, or whose shape differs from the one
 *       it followed, writes a table refresh marker at the transaction's commit position.</li>
 *   <li>A schema message ({@link #SCHEMA_PREFIX}, emitted by the {@link SchemaWatch} when the catalog
 *       shows a change no change message showed yet) does the same for the tables it names, and
 *       writes a {@code truncate} of each table that left the capture set.</li>
 * </ul>
 * The markers, shapes and truncates go with the transaction's commit piece.
 */
final class SchemaTracker implements PgOutputHandler {

    /** Prefix of the messages the schema watch emits. */
    static final String SCHEMA_PREFIX = "tidemark.schema";

    private static final Logger log = LoggerFactory.getLogger(SchemaTracker.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PgOutputHandler next;
    private final CapturedTables tables;
    private final CaptureHealthTracker health;
    private final PrimaryKeys keys;
    private final Set<Integer> excluded = new HashSet<>();

    private Lsn commitLsn;
    private Instant commitTime;
    private long xid;
    private List<TableRefresh> refreshes = new ArrayList<>();
    private Map<String, String> shapes = new LinkedHashMap<>();
    private List<String> removed = new ArrayList<>();
    private List<String> forgotten = new ArrayList<>();
    private Lsn committedLsn;
    private long committedXid;
    private Instant committedTime;
    private TableUpdates committed;

    SchemaTracker(PgOutputHandler next, CapturedTables tables, CaptureHealthTracker health, PrimaryKeys keys) {
        this.next = requireNonNull(next, "next is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.health = requireNonNull(health, "health is null");
        this.keys = requireNonNull(keys, "keys is null");
    }

    @Override
    public void begin(Lsn commitLsn, Instant commitTime, long xid) {
        this.commitLsn = commitLsn;
        this.commitTime = commitTime;
        this.xid = xid;
        refreshes = new ArrayList<>();
        shapes = new LinkedHashMap<>();
        removed = new ArrayList<>();
        forgotten = new ArrayList<>();
        next.begin(commitLsn, commitTime, xid);
    }

    @Override
    public void commit(Lsn commitLsn, Lsn endLsn, Instant commitTime) {
        if (!refreshes.isEmpty() || !shapes.isEmpty() || !removed.isEmpty() || !forgotten.isEmpty()) {
            committed = new TableUpdates(refreshes, shapes, removed, forgotten);
            committedLsn = commitLsn;
            committedXid = xid;
            committedTime = commitTime;
        }
        this.commitLsn = null;
        next.commit(commitLsn, endLsn, commitTime);
    }

    /**
     * Adds to a commit piece the table updates of its transaction: markers, shapes, and a truncate per
     * table that left the capture set (numbered after the transaction's own changes).
     */
    CapturePiece attach(CapturePiece piece) {
        if (committed == null || !piece.isCommit() || !piece.commitLsn().equals(committedLsn)) {
            return piece;
        }
        TableUpdates updates = committed;
        committed = null;
        List<LoggedChange> changes = piece.changes();
        int size = piece.transactionSize();
        if (!updates.removed().isEmpty()) {
            changes = new ArrayList<>(changes);
            for (String type : updates.removed()) {
                changes.add(new LoggedChange(committedLsn, size++, committedXid, Change.truncate(type, committedTime)));
            }
        }
        return new CapturePiece(changes, piece.commitLsn(), piece.commitTime(), piece.heartbeat(), piece.bytes(),
                size, updates);
    }

    @Override
    public void relation(Relation relation) {
        if (relation.namespace().equals(ChangeFactory.OWN_SCHEMA)) {
            next.relation(relation);
            return;
        }
        TableShape shape = TableShape.of(relation, keys);
        Optional<TableProblem> problem = shape.problem();
        if (problem.isPresent()) {
            excluded.add(relation.oid());
            health.exclude(problem.get());
            if (tables.shape(shape.entityType()) != null && commitLsn != null) {
                tables.remove(shape.entityType());
                forgotten.add(shape.entityType());
            }
            return;
        }
        excluded.remove(relation.oid());
        follow(shape.entityType(), shape.qualifiedName(), shape.text());
        next.relation(relation);
    }

    private void follow(String entityType, String table, String shape) {
        String reason = TableShape.difference(table, tables.shape(entityType), shape);
        if (reason == null) {
            return;
        }
        if (commitLsn == null) {
            log.warn("schema change of {} seen outside a transaction; it is picked up by the next schema check", table);
            return;
        }
        refreshes.removeIf(refresh -> refresh.entityType().equals(entityType));
        refreshes.add(new TableRefresh(commitLsn, entityType, reason));
        shapes.put(entityType, shape);
        forgotten.remove(entityType);
        tables.put(entityType, shape);
        log.info("{}: clients reload {} from {}", reason, entityType, commitLsn);
    }

    @Override
    public void insert(int relationOid, TupleData newTuple) {
        if (!excluded.contains(relationOid)) {
            next.insert(relationOid, newTuple);
        }
    }

    @Override
    public void update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple) {
        if (!excluded.contains(relationOid)) {
            next.update(relationOid, oldKind, oldTuple, newTuple);
        }
    }

    @Override
    public void delete(int relationOid, char oldKind, TupleData oldTuple) {
        if (!excluded.contains(relationOid)) {
            next.delete(relationOid, oldKind, oldTuple);
        }
    }

    @Override
    public void truncate(int[] relationOids, boolean cascade, boolean restartIdentity) {
        int[] kept = java.util.Arrays.stream(relationOids).filter(oid -> !excluded.contains(oid)).toArray();
        if (kept.length > 0) {
            next.truncate(kept, cascade, restartIdentity);
        }
    }

    @Override
    public void message(boolean transactional, Lsn lsn, String prefix, byte[] content) {
        if (transactional && commitLsn != null && prefix.equals(SCHEMA_PREFIX)) {
            schemaMessage(new String(content, StandardCharsets.UTF_8));
        }
        next.message(transactional, lsn, prefix, content);
    }

    private void schemaMessage(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException e) {
            log.warn("ignoring a malformed schema message at {}: {}", commitLsn, e.getMessage());
            return;
        }
        message.path("tables").fields().forEachRemaining(entry ->
                follow(entry.getKey(), entry.getValue().get(0).asText(), entry.getValue().get(1).asText()));
        for (JsonNode type : message.path("removed")) {
            String entityType = type.asText();
            if (tables.shape(entityType) != null) {
                tables.remove(entityType);
                refreshes.removeIf(refresh -> refresh.entityType().equals(entityType));
                shapes.remove(entityType);
                removed.add(entityType);
                log.warn("table of entity type {} left the capture set: clients drop its entities (truncate at {})",
                        entityType, commitLsn);
            }
        }
        for (JsonNode type : message.path("forgotten")) {
            String entityType = type.asText();
            if (tables.shape(entityType) != null) {
                tables.remove(entityType);
                shapes.remove(entityType);
                forgotten.add(entityType);
            }
        }
    }
}
