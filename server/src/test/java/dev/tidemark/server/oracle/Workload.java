package dev.tidemark.server.oracle;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.oracle.Schema.Column;
import dev.tidemark.server.oracle.Schema.Table;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded random mix of DML against the oracle's tables, in transactions of 1 to a few hundred
 * statements over several tables (and, when asked, one transaction of 10,000 rows): inserts (single and
 * multi-row), updates of random column subsets (mostly leaving the TOASTed columns unchanged), key
 * changes, deletes, and rare truncates. The statements depend only on the seed.
 */
final class Workload {

    /** Called after a committed schema change of {@code table}; {@code before} is a WAL position before it. */
    @FunctionalInterface
    interface ShapeListener {
        void changed(String table, Lsn before) throws SQLException;
    }

    /** The schema changes of {@link Schema#SHIFTING}, in order, spread over the run. */
    static final List<String> SHAPE_CHANGES = List.of(
            "ALTER TABLE shifting ADD COLUMN e integer DEFAULT 7",
            "ALTER TABLE shifting RENAME COLUMN b TO b2",
            "ALTER TABLE shifting DROP COLUMN c",
            "ALTER TABLE shifting ALTER COLUMN a TYPE bigint",
            "ALTER TABLE shifting ADD COLUMN f text");

    private final List<Table> tables = new ArrayList<>(Schema.TABLES);
    private int shapeChanges;

    private final Values values;
    private final Random random;
    private final Map<String, KeyPool> pools = new HashMap<>();
    /** Entities whose key changed while a TOASTed column stayed unchanged, until that column is written. */
    private final Set<String> movedKeepingToast = new HashSet<>();
    private long nextId;
    private long changes;
    private long transactions;
    private long keyChanges;
    long statementNanos;
    long commitNanos;

    Workload(long seed) {
        this.random = new Random(seed);
        this.values = new Values(random);
        this.nextId = random.nextInt(1000);
        for (Table table : Schema.TABLES) {
            pools.put(table.name(), new KeyPool());
        }
    }

    long changes() {
        return changes;
    }

    long transactions() {
        return transactions;
    }

    long keyChanges() {
        return keyChanges;
    }

    Set<String> movedKeepingToast() {
        return movedKeepingToast;
    }

    /** The tables as they are now (the shifting one with its current columns). */
    List<Table> tables() {
        return tables;
    }

    /** How many of {@link #SHAPE_CHANGES} ran. */
    int shapeChanges() {
        return shapeChanges;
    }

    /**
     * Runs transactions until at least {@code target} row changes were committed, and, when
     * {@code shapes} is given, the schema changes spread over the run.
     */
    void run(Connection connection, long target, boolean bulk, ShapeListener shapes) throws SQLException {
        this.shapes = shapes;
        this.shapeTarget = changes;
        this.shapeSpan = target;
        run(connection, target, bulk);
    }

    private ShapeListener shapes;
    private long shapeTarget;
    private long shapeSpan;

    private void maybeChangeShape(Connection connection, Statement statement, long start) throws SQLException {
        if (shapes == null || shapeChanges >= SHAPE_CHANGES.size()
                || changes - start < shapeSpan * (shapeChanges + 1) / (SHAPE_CHANGES.size() + 1)) {
            return;
        }
        Lsn before;
        try (ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            before = Lsn.parse(row.getString(1));
        }
        String ddl = SHAPE_CHANGES.get(shapeChanges++);
        execute(statement, ddl);
        connection.commit();
        transactions++;
        reshape(ddl);
        shapes.changed("shifting", before);
    }

    private void reshape(String ddl) {
        int at = tables.indexOf(tables.stream().filter(t -> t.name().equals("shifting")).findFirst().orElseThrow());
        Table table = tables.get(at);
        List<Column> columns = new ArrayList<>(table.columns());
        String[] words = ddl.split(" ");
        switch (words[3]) {
            case "ADD" -> columns.add(words[6].equals("integer")
                    ? Column.of(words[5], "integer", Rule.INTEGER, Values::integer)
                    : Column.of(words[5], "text", Rule.STRING, v -> Values.quote(v.text(4))));
            case "RENAME" -> {
                int i = indexOf(columns, words[5]);
                Column old = columns.get(i);
                columns.set(i, new Column(words[7], old.type(), old.rule(), old.element(), old.values(), false, false));
            }
            case "DROP" -> columns.remove(indexOf(columns, words[5]));
            default -> {
                int i = indexOf(columns, words[5]);
                columns.set(i, Column.of(words[5], "bigint", Rule.INTEGER, Values::bigint));
            }
        }
        tables.set(at, new Table(table.name(), columns, table.keyColumns()));
    }

    private static int indexOf(List<Column> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no column " + name);
    }

    /** Runs transactions until at least {@code target} row changes were committed, besides the bulk transaction. */
    void run(Connection connection, long target, boolean bulk) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            long bulkChanges = 0;
            long start = changes;
            while (changes - bulkChanges - start < target) {
                maybeChangeShape(connection, statement, start + bulkChanges);
                if (bulk && bulkChanges == 0 && changes - start >= target / 2) {
                    long before = changes;
                    bulkTransaction(statement);
                    connection.commit();
                    transactions++;
                    bulkChanges = changes - before;
                }
                int size = switch (random.nextInt(20)) {
                    case 0 -> 20 + random.nextInt(200);
                    case 1, 2, 3, 4, 5 -> 2 + random.nextInt(19);
                    default -> 1;
                };
                long t0 = System.nanoTime();
                for (int i = 0; i < size; i++) {
                    step(statement);
                }
                long t1 = System.nanoTime();
                connection.commit();
                statementNanos += t1 - t0;
                commitNanos += System.nanoTime() - t1;
                transactions++;
            }
        }
    }

    private void bulkTransaction(Statement statement) throws SQLException {
        long first = 1_000_000 + random.nextInt(1000);
        String sql = "INSERT INTO pairs (grp, n, v, note) SELECT 'bulk ' || g, g, g::numeric / 7, md5(g::text)"
                + " FROM generate_series(" + first + ", " + (first + 9_999) + ") g";
        changes += execute(statement, sql);
        for (long g = first; g < first + 10_000; g++) {
            pools.get("pairs").add(List.of(Values.quote("bulk " + g), Long.toString(g)));
        }
    }

    private void step(Statement statement) throws SQLException {
        Table table = tables.get(random.nextInt(tables.size()));
        KeyPool pool = pools.get(table.name());
        int op = random.nextInt(1000);
        if (random.nextInt(4000) == 0) {
            truncate(statement, table);
        } else if (pool.size() < 5 || op < 450) {
            insert(statement, table, pool);
        } else if (op < 750) {
            update(statement, table, pool, false);
        } else if (op < 830) {
            update(statement, table, pool, true);
        } else {
            delete(statement, table, pool);
        }
    }

    private void truncate(Statement statement, Table table) throws SQLException {
        if (random.nextBoolean()) {
            execute(statement, "TRUNCATE " + table.name());
            forget(table);
            changes++;
        } else {
            execute(statement, "TRUNCATE pairs, docs");
            forget(Schema.PAIRS);
            forget(Schema.DOCS);
            changes += 2;
        }
    }

    private void forget(Table table) {
        pools.get(table.name()).clear();
        movedKeepingToast.removeIf(k -> k.startsWith(table.name() + " "));
    }

    private void insert(Statement statement, Table table, KeyPool pool) throws SQLException {
        int rows = random.nextInt(8) == 0 ? 2 + random.nextInt(5) : 1;
        List<Column> columns = table.writable();
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table.name()).append(" (")
                .append(String.join(", ", columns.stream().map(Column::name).toList())).append(") VALUES ");
        List<List<String>> keys = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            List<String> key = newKey(table, pool, keys);
            keys.add(key);
            sql.append(r > 0 ? ", (" : "(").append(String.join(", ", key));
            for (Column column : table.writableValues()) {
                sql.append(", ").append(value(column));
            }
            sql.append(')');
        }
        changes += execute(statement, sql.toString());
        keys.forEach(pool::add);
    }

    private String value(Column column) {
        return values.chance(0.08) ? "NULL" : column.values().apply(values);
    }

    private List<String> newKey(Table table, KeyPool pool, List<List<String>> taken) {
        while (true) {
            List<String> key = switch (table.name()) {
                case "all_types" -> List.of(Long.toString(random.nextInt(50) == 0 ? Long.MIN_VALUE + nextId++ : nextId++));
                case "shifting" -> List.of(Integer.toString(random.nextInt(100_000)));
                case "pairs" -> List.of(Values.quote(values.text(3)), Integer.toString(random.nextInt(random.nextBoolean()
                        ? 10 : Integer.MAX_VALUE)));
                default -> List.of(values.uuid());
            };
            if (!pool.contains(key) && !taken.contains(key)) {
                return key;
            }
        }
    }

    private String where(Table table, List<String> key) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < table.keyColumns(); i++) {
            terms.add(table.columns().get(i).name() + " = " + key.get(i));
        }
        return " WHERE " + String.join(" AND ", terms);
    }

    private void update(Statement statement, Table table, KeyPool pool, boolean changeKey) throws SQLException {
        List<String> key = pool.random(random);
        List<String> sets = new ArrayList<>();
        int toastWrites = 0;
        for (Column column : table.writableValues()) {
            double p = column.toast() ? 0.15 : 0.3;
            if (values.chance(p)) {
                sets.add(column.name() + " = " + value(column));
                toastWrites += column.toast() ? 1 : 0;
            }
        }
        boolean toastWritten = toastWrites == table.columns().stream().filter(Column::toast).count();
        List<String> newKey = key;
        if (changeKey) {
            newKey = new ArrayList<>(key);
            List<String> fresh = newKey(table, pool, List.of());
            int which = random.nextInt(table.keyColumns());
            if (table.keyColumns() > 1 && random.nextBoolean()) {
                newKey = fresh;
                for (int i = 0; i < table.keyColumns(); i++) {
                    sets.add(table.columns().get(i).name() + " = " + fresh.get(i));
                }
            } else {
                newKey.set(which, fresh.get(which));
                if (pool.contains(newKey)) {
                    return;
                }
                sets.add(table.columns().get(which).name() + " = " + fresh.get(which));
            }
        }
        if (sets.isEmpty()) {
            Column column = table.writableValues().get(0);
            sets.add(column.name() + " = " + value(column));
        }
        changes += execute(statement, "UPDATE " + table.name() + " SET " + String.join(", ", sets) + where(table, key));
        String oldName = table.name() + " " + key;
        boolean wasMoved = movedKeepingToast.remove(oldName);
        if (changeKey) {
            keyChanges++;
            pool.remove(key);
            pool.add(newKey);
            boolean hasToast = table.columns().stream().anyMatch(Column::toast);
            if (hasToast && (!toastWritten || wasMoved)) {
                movedKeepingToast.add(table.name() + " " + newKey);
            }
        } else if (wasMoved && !toastWritten) {
            movedKeepingToast.add(oldName);
        }
    }

    private void delete(Statement statement, Table table, KeyPool pool) throws SQLException {
        List<String> key = pool.random(random);
        changes += execute(statement, "DELETE FROM " + table.name() + where(table, key));
        pool.remove(key);
        movedKeepingToast.remove(table.name() + " " + key);
    }

    private static int execute(Statement statement, String sql) throws SQLException {
        try {
            statement.execute(sql);
            return Math.max(statement.getUpdateCount(), 0);
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + "\n  in: " + abbreviate(sql), e.getSQLState(), e);
        }
    }

    static String abbreviate(String sql) {
        return sql.length() > 2000 ? sql.substring(0, 2000) + "... (" + sql.length() + " characters)" : sql;
    }
}
