package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.server.feed.TableProblem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
 * Notices schema changes that no change message shows: pgoutput describes a table again only before
 * the next change of it, so {@code ALTER TABLE t ADD COLUMN x int DEFAULT 7} on a table nobody writes
 * to would never reach capture. At every session start and every heartbeat, it compares the catalog's
 * shapes of the published tables with those capture follows; when they differ (a shape changed, a table
 * entered or left the capture set, a table can no longer be captured), it emits a transactional
 * logical decoding message ({@link SchemaTracker#SCHEMA_PREFIX}) naming them, and the replication
 * thread writes the markers (or truncates) at that message's commit position, which is after the
 * change. Also excludes, with an ERROR, every published table that cannot be captured.
 */
final class SchemaWatch {

    private static final Logger log = LoggerFactory.getLogger(SchemaWatch.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The same request is emitted again only after this long (the first may still be on its way). */
    private static final long REPEAT_NANOS = 60_000_000_000L;

    private final String publication;
    private final CapturedTables tables;
    private final CaptureHealthTracker health;
    private String lastEmitted;
    private long lastEmittedNanos;

    SchemaWatch(String publication, CapturedTables tables, CaptureHealthTracker health) {
        this.publication = requireNonNull(publication, "publication is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.health = requireNonNull(health, "health is null");
    }

    /** Compares the catalog with the followed shapes and emits a schema message when they differ. */
    synchronized void check(Connection connection) throws SQLException {
        List<TableShape> shapes = SchemaCatalog.published(connection, publication);
        Map<String, List<String>> changed = new LinkedHashMap<>();
        List<String> forgotten = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (TableShape shape : shapes) {
            String type = shape.entityType();
            present.add(type);
            Optional<TableProblem> problem = shape.problem();
            if (problem.isPresent()) {
                health.exclude(problem.get());
                if (tables.shape(type) != null) {
                    forgotten.add(type);
                }
                continue;
            }
            String text = shape.text();
            if (!text.equals(tables.shape(type))) {
                changed.put(type, List.of(shape.qualifiedName(), text));
            }
        }
        List<String> removed = new ArrayList<>();
        for (String type : tables.entityTypes()) {
            if (!present.contains(type)) {
                removed.add(type);
            }
        }
        health.retain(present::contains);
        if (changed.isEmpty() && removed.isEmpty() && forgotten.isEmpty()) {
            lastEmitted = null;
            return;
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("tables", changed);
        message.put("removed", removed);
        message.put("forgotten", forgotten);
        String text;
        try {
            text = JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a schema message", e);
        }
        long now = System.nanoTime();
        if (text.equals(lastEmitted) && now - lastEmittedNanos < REPEAT_NANOS) {
            return;
        }
        try (PreparedStatement emit = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            emit.setString(1, SchemaTracker.SCHEMA_PREFIX);
            emit.setString(2, text);
            emit.execute();
        }
        lastEmitted = text;
        lastEmittedNanos = now;
        log.info("schema check: tables changed {}, left the capture set {}, no longer capturable {}",
                changed.keySet(), removed, forgotten);
    }
}
