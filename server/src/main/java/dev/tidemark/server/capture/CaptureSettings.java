package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How capture runs. Immutable and validated at construction; build one with {@link #builder()}.
 *
 * @param slotName the logical replication slot (one per capture)
 * @param publicationName the publication the slot streams
 * @param tables tables to capture, {@code schema.table} or {@code table} (schema public)
 * @param schemas schemas whose every table is captured, including tables created later
 * @param createSlot create the slot when it is missing (otherwise startup fails)
 * @param managePublication create the publication when missing and change it to hold exactly
 *     {@code tables} and {@code schemas}; when false it must exist and is left as it is
 * @param heartbeatInterval how often a heartbeat is emitted so an idle or filtered database still
 *     moves the slot, and how often slot lag is measured
 * @param maxBatchChanges most changes written to the change log in one transaction
 * @param chunkChanges a transaction larger than this is handed to the writer in pieces of this many
 *     changes, so it is never held whole in memory
 * @param chunkBytes ... or of about this many bytes of data
 * @param queueCapacity how much the replication reader may buffer ahead of the change-log writer, in
 *     changes or KiB of data (whichever a transaction has more of); many small transactions queued
 *     up become one change-log write
 * @param statusInterval how often the replication connection reports its position to PostgreSQL
 *     when nothing else happens
 * @param restartBackoff first wait before capture restarts after a failure (doubling up to
 *     {@code maxRestartBackoff})
 * @param maxRestartBackoff longest wait between restarts
 */
public record CaptureSettings(String slotName, String publicationName, List<String> tables, List<String> schemas,
                              boolean createSlot, boolean managePublication, Duration heartbeatInterval,
                              int maxBatchChanges, int chunkChanges, long chunkBytes, int queueCapacity,
                              Duration statusInterval, Duration restartBackoff, Duration maxRestartBackoff) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_$]{0,62}\\.)?[a-z_][a-z0-9_$]{0,62}");

    public CaptureSettings {
        requireNonNull(slotName, "slotName is null");
        requireNonNull(publicationName, "publicationName is null");
        requireNonNull(heartbeatInterval, "heartbeatInterval is null");
        requireNonNull(statusInterval, "statusInterval is null");
        requireNonNull(restartBackoff, "restartBackoff is null");
        requireNonNull(maxRestartBackoff, "maxRestartBackoff is null");
        check(IDENTIFIER.matcher(slotName).matches(), "slot name '" + slotName
                + "' must be 1 to 63 lower-case letters, digits or underscores, not starting with a digit");
        check(IDENTIFIER.matcher(publicationName).matches(), "publication name '" + publicationName
                + "' must be 1 to 63 lower-case letters, digits or underscores, not starting with a digit");
        tables = qualified(requireNonNull(tables, "tables is null"));
        schemas = List.copyOf(new LinkedHashSet<>(requireNonNull(schemas, "schemas is null")));
        for (String schema : schemas) {
            check(IDENTIFIER.matcher(schema).matches(), "schema name '" + schema + "' is not a plain lower-case name");
            check(!schema.equals("tidemark"), "schema tidemark holds the change log and cannot be captured");
            check(!schema.equals("pg_catalog") && !schema.equals("information_schema"),
                    "system schema " + schema + " cannot be captured");
        }
        for (String table : tables) {
            check(!table.startsWith("tidemark."), "table " + table + " is in the change log's schema and cannot be captured");
        }
        check(!managePublication || !tables.isEmpty() || !schemas.isEmpty(),
                "name the tables or schemas to capture (or let an existing publication decide with managePublication=false)");
        check(positive(heartbeatInterval), "heartbeatInterval must be positive");
        check(positive(statusInterval), "statusInterval must be positive");
        check(positive(restartBackoff), "restartBackoff must be positive");
        check(maxRestartBackoff.compareTo(restartBackoff) >= 0, "maxRestartBackoff must be at least restartBackoff");
        check(maxBatchChanges >= 1, "maxBatchChanges must be at least 1");
        check(chunkChanges >= 1 && chunkChanges <= maxBatchChanges, "chunkChanges must be from 1 to maxBatchChanges");
        check(chunkBytes >= 1024, "chunkBytes must be at least 1024");
        check(queueCapacity >= 1, "queueCapacity must be at least 1");
    }

    /** Settings with every default, capturing nothing until tables or schemas are added. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new CaptureException(CaptureError.CONFIGURATION, message);
        }
    }

    private static List<String> qualified(List<String> tables) {
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (String table : tables) {
            requireNonNull(table, "a table name is null");
            String name = table.trim();
            check(TABLE.matcher(name).matches(), "table name '" + table
                    + "' must be table or schema.table in plain lower-case names (quoted names are not supported)");
            result.add(name.contains(".") ? name : "public." + name);
        }
        return List.copyOf(result);
    }

    /** Builds {@link CaptureSettings}; every setting has a default. */
    public static final class Builder {
        private String slotName = "tidemark";
        private String publicationName = "tidemark";
        private List<String> tables = new ArrayList<>();
        private List<String> schemas = new ArrayList<>();
        private boolean createSlot = true;
        private boolean managePublication = true;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private int maxBatchChanges = 20_000;
        private int chunkChanges = 5_000;
        private long chunkBytes = 8L << 20;
        private int queueCapacity = 40_000;
        private Duration statusInterval = Duration.ofSeconds(10);
        private Duration restartBackoff = Duration.ofSeconds(1);
        private Duration maxRestartBackoff = Duration.ofSeconds(30);

        private Builder() {}

        private Builder(CaptureSettings s) {
            slotName = s.slotName;
            publicationName = s.publicationName;
            tables = new ArrayList<>(s.tables);
            schemas = new ArrayList<>(s.schemas);
            createSlot = s.createSlot;
            managePublication = s.managePublication;
            heartbeatInterval = s.heartbeatInterval;
            maxBatchChanges = s.maxBatchChanges;
            chunkChanges = s.chunkChanges;
            chunkBytes = s.chunkBytes;
            queueCapacity = s.queueCapacity;
            statusInterval = s.statusInterval;
            restartBackoff = s.restartBackoff;
            maxRestartBackoff = s.maxRestartBackoff;
        }

        public Builder slotName(String value) {
            slotName = value;
            return this;
        }

        public Builder publicationName(String value) {
            publicationName = value;
            return this;
        }

        public Builder tables(List<String> value) {
            tables = new ArrayList<>(value);
            return this;
        }

        public Builder schemas(List<String> value) {
            schemas = new ArrayList<>(value);
            return this;
        }

        public Builder createSlot(boolean value) {
            createSlot = value;
            return this;
        }

        public Builder managePublication(boolean value) {
            managePublication = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            heartbeatInterval = value;
            return this;
        }

        public Builder maxBatchChanges(int value) {
            maxBatchChanges = value;
            return this;
        }

        public Builder chunkChanges(int value) {
            chunkChanges = value;
            return this;
        }

        public Builder chunkBytes(long value) {
            chunkBytes = value;
            return this;
        }

        public Builder queueCapacity(int value) {
            queueCapacity = value;
            return this;
        }

        public Builder statusInterval(Duration value) {
            statusInterval = value;
            return this;
        }

        public Builder restartBackoff(Duration value) {
            restartBackoff = value;
            return this;
        }

        public Builder maxRestartBackoff(Duration value) {
            maxRestartBackoff = value;
            return this;
        }

        public CaptureSettings build() {
            return new CaptureSettings(slotName, publicationName, tables, schemas, createSlot, managePublication,
                    heartbeatInterval, maxBatchChanges, chunkChanges, chunkBytes, queueCapacity, statusInterval,
                    restartBackoff, maxRestartBackoff);
        }
    }
}
