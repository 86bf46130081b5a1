package dev.tidemark.server.changelog.postgres;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The tables of schema {@code tidemark} as typed jOOQ objects, written by hand after the migration scripts
 * ({@code migrations/V*.sql}); a new column there is added here too. Each table is a constant; {@code as(alias)}
 * gives the same table under an alias, for self-joins.
 */
final class ChangeLogSchema {

    /** {@code pg_lsn}, as {@link Lsn}. */
    static final DataType<Lsn> LSN = SQLDataType.VARCHAR.asConvertedDataType(new LsnBinding());
    /** {@code timestamptz}, as {@link Instant}. */
    static final DataType<Instant> TIMESTAMPTZ = SQLDataType.INSTANT;
    static final DataType<String[]> TEXT_ARRAY = SQLDataType.CLOB.array();
    static final DataType<Long[]> BIGINT_ARRAY = SQLDataType.BIGINT.array();

    static final HistoryState HISTORY_STATE = new HistoryState(null);
    static final ChangeHistory CHANGE_HISTORY = new ChangeHistory(null);
    static final ChangeTransaction CHANGE_TRANSACTION = new ChangeTransaction(null);
    static final ClientProgress CLIENT_PROGRESS = new ClientProgress(null);
    static final TableRefresh TABLE_REFRESH = new TableRefresh(null);
    static final CapturedTable CAPTURED_TABLE = new CapturedTable(null);
    static final TypeChecksum TYPE_CHECKSUM = new TypeChecksum(null);

    private ChangeLogSchema() {}

    /** A table of the schema, under its own name or an alias; its columns are qualified by either. */
    abstract static class SchemaTable {

        final Table<Record> table;
        private final Name qualifier;

        SchemaTable(String tableName, String alias) {
            Name tableQualified = name(Migrations.SCHEMA, tableName);
            this.table = alias == null ? table(tableQualified) : table(tableQualified).as(alias);
            this.qualifier = alias == null ? tableQualified : name(alias);
        }

        final <T> Field<T> column(String column, DataType<T> type) {
            return field(qualifier.append(column), type);
        }
    }

    /** {@code tidemark.history_state}: one row (id 1), the history and how far capture got. */
    static final class HistoryState extends SchemaTable {
        final Field<Short> ID = column("id", SQLDataType.SMALLINT);
        final Field<String> HISTORY_ID = column("history_id", SQLDataType.CLOB);
        final Field<Lsn> CAPTURE_POSITION = column("capture_position", LSN);
        final Field<Lsn> RETAINED_FROM = column("retained_from", LSN);
        final Field<Long> CHECKSUM_TOTAL = column("checksum_total", SQLDataType.BIGINT);
        final Field<Long> TRIMMED_CHECKSUM = column("trimmed_checksum", SQLDataType.BIGINT);
        final Field<Lsn> PENDING_LSN = column("pending_lsn", LSN);
        final Field<Integer> PENDING_SEQ = column("pending_seq", SQLDataType.INTEGER);
        final Field<Long> PENDING_CHECKSUM = column("pending_checksum", SQLDataType.BIGINT);
        final Field<Long> PENDING_XID = column("pending_xid", SQLDataType.BIGINT);
        final Field<Instant> PENDING_COMMITTED_AT = column("pending_committed_at", TIMESTAMPTZ);
        final Field<String[]> PENDING_ENTITY_TYPES = column("pending_entity_types", TEXT_ARRAY);
        final Field<Long[]> PENDING_TYPE_CHECKSUMS = column("pending_type_checksums", BIGINT_ARRAY);
        final Field<Boolean> TYPE_CHECKSUMS_KNOWN = column("type_checksums_known", SQLDataType.BOOLEAN);
        final Field<String[]> TYPE_NAMES = column("type_names", TEXT_ARRAY);
        final Field<Long[]> TYPE_TOTALS = column("type_totals", BIGINT_ARRAY);
        final Field<Instant> STARTED_AT = column("started_at", TIMESTAMPTZ);
        final Field<Instant> UPDATED_AT = column("updated_at", TIMESTAMPTZ);

        private HistoryState(String alias) {
            super("history_state", alias);
        }

        HistoryState as(String alias) {
            return new HistoryState(alias);
        }
    }

    /** {@code tidemark.change_history}: one row per change, keyed by (commit LSN, index in its transaction). */
    static final class ChangeHistory extends SchemaTable {
        final Field<Lsn> LSN = column("lsn", ChangeLogSchema.LSN);
        final Field<Integer> SEQ = column("seq", SQLDataType.INTEGER);
        final Field<Long> XID = column("xid", SQLDataType.BIGINT);
        final Field<String> OP = column("op", SQLDataType.CLOB);
        final Field<String> ENTITY_TYPE = column("entity_type", SQLDataType.CLOB);
        final Field<String> ENTITY_ID = column("entity_id", SQLDataType.CLOB);
        final Field<String> DATA = column("data", SQLDataType.CLOB);
        final Field<String> FROM_ID = column("from_id", SQLDataType.CLOB);

        private ChangeHistory(String alias) {
            super("change_history", alias);
        }

        ChangeHistory as(String alias) {
            return new ChangeHistory(alias);
        }
    }

    /** {@code tidemark.change_transaction}: one row per complete transaction, with the running checksum. */
    static final class ChangeTransaction extends SchemaTable {
        final Field<Lsn> LSN = column("lsn", ChangeLogSchema.LSN);
        final Field<Long> XID = column("xid", SQLDataType.BIGINT);
        final Field<Integer> CHANGE_COUNT = column("change_count", SQLDataType.INTEGER);
        final Field<Long> CHECKSUM = column("checksum", SQLDataType.BIGINT);
        final Field<Long> CUMULATIVE_CHECKSUM = column("cumulative_checksum", SQLDataType.BIGINT);
        final Field<Instant> COMMITTED_AT = column("committed_at", TIMESTAMPTZ);
        final Field<String[]> ENTITY_TYPES = column("entity_types", TEXT_ARRAY);

        private ChangeTransaction(String alias) {
            super("change_transaction", alias);
        }

        ChangeTransaction as(String alias) {
            return new ChangeTransaction(alias);
        }
    }

    /** {@code tidemark.client_progress}: what the server knows of each client. */
    static final class ClientProgress extends SchemaTable {
        final Field<String> CLIENT_ID = column("client_id", SQLDataType.CLOB);
        final Field<Lsn> ACKED_LSN = column("acked_lsn", LSN);
        final Field<Instant> LAST_ACK_AT = column("last_ack_at", TIMESTAMPTZ);
        final Field<String> LAST_ERROR = column("last_error", SQLDataType.CLOB);
        final Field<Boolean> CONNECTED = column("connected", SQLDataType.BOOLEAN);
        final Field<Instant> UPDATED_AT = column("updated_at", TIMESTAMPTZ);

        private ClientProgress(String alias) {
            super("client_progress", alias);
        }
    }

    /** {@code tidemark.table_refresh}: "from lsn on, the log holds entity_type's complete history". */
    static final class TableRefresh extends SchemaTable {
        final Field<Lsn> LSN = column("lsn", ChangeLogSchema.LSN);
        final Field<String> ENTITY_TYPE = column("entity_type", SQLDataType.CLOB);
        final Field<String> REASON = column("reason", SQLDataType.CLOB);

        private TableRefresh(String alias) {
            super("table_refresh", alias);
        }

        TableRefresh as(String alias) {
            return new TableRefresh(alias);
        }
    }

    /** {@code tidemark.captured_table}: the shape capture last saw of each captured table. */
    static final class CapturedTable extends SchemaTable {
        final Field<String> ENTITY_TYPE = column("entity_type", SQLDataType.CLOB);
        final Field<String> SHAPE = column("shape", SQLDataType.CLOB);
        final Field<Instant> UPDATED_AT = column("updated_at", TIMESTAMPTZ);

        private CapturedTable(String alias) {
            super("captured_table", alias);
        }
    }

    /** {@code tidemark.type_checksum}: the running checksum of one entity type through a transaction. */
    static final class TypeChecksum extends SchemaTable {
        final Field<String> ENTITY_TYPE = column("entity_type", SQLDataType.CLOB);
        final Field<Lsn> LSN = column("lsn", ChangeLogSchema.LSN);
        final Field<Long> CUMULATIVE_CHECKSUM = column("cumulative_checksum", SQLDataType.BIGINT);

        private TypeChecksum(String alias) {
            super("type_checksum", alias);
        }

        TypeChecksum as(String alias) {
            return new TypeChecksum(alias);
        }
    }
}
