package dev.tidemark.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes the source through PostgreSQL outages with an exact model: every transaction also records its number in
 * {@code chaos_writer} (a table Tidemark does not capture), so after a connection dies at commit the writer learns
 * from the source whether it committed, and applies it to the model only then.
 */
final class Writer {

    /** One transaction: its statements, and what it does to the model once it is known to have committed. */
    private interface Tx {
        void run(Connection connection) throws SQLException;

        void apply(SourceModel model);

        int rows();
    }

    static final List<String> TABLES = List.of("items", "accounts", "events");
    static final int LARGE_TRANSACTION_ROWS = 6_000;
    private static final int BIG_CHARS = 3_000;
    /** Each is a refresh of {@code items} for every client: a few per run. */
    private static final int MAX_SCHEMA_CHANGES = 4;

    private final PostgresProcess postgres;
    private final String database;
    private final Random random;
    private final Set<Ops> ops;
    private final SourceModel model = new SourceModel();
    private Connection connection;
    private long txNumber;
    private boolean largeDone;
    private int schemaChanges;
    /** The extra columns {@code items} has now (added, perhaps renamed, by the schema changes). */
    private final List<String> extraColumns = new ArrayList<>();

    Writer(PostgresProcess postgres, String database, Random random, Set<Ops> ops) {
        this.postgres = postgres;
        this.database = database;
        this.random = random;
        this.ops = ops;
    }

    SourceModel model() {
        return model;
    }

    /** The schema; with {@link Ops#PREEXISTING_ROWS}, rows in {@code items} before capture starts. */
    static void createSchema(Connection connection, Set<Ops> ops, Random random, SourceModel model) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id bigint PRIMARY KEY, version bigint NOT NULL, note text NOT NULL,"
                    + " big text NOT NULL)");
            // Out of line and uncompressed: a 3,000-character value is TOASTed, so pgoutput leaves it out of
            // updates that do not change it.
            statement.execute("ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL");
            statement.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
            statement.execute("CREATE TABLE events (id bigint PRIMARY KEY, batch int NOT NULL, payload text NOT NULL)");
            statement.execute("CREATE TABLE chaos_writer (tx bigint PRIMARY KEY)");
        }
        if (ops.contains(Ops.PREEXISTING_ROWS)) {
            for (int i = 0; i < 50; i++) {
                long id = model.nextItemId++;
                SourceModel.Item item = new SourceModel.Item(1, "before-" + id, big(random));
                insertItem(connection, id, item);
                model.items.put(id, item);
            }
        }
    }

    /** The first transaction: the accounts whose balances always sum to {@link SourceModel#TOTAL_BALANCE}. */
    void openAccounts() {
        execute(new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO accounts VALUES (?, ?)")) {
                    for (int id = 1; id <= SourceModel.ACCOUNTS; id++) {
                        insert.setInt(1, id);
                        insert.setLong(2, SourceModel.TOTAL_BALANCE / SourceModel.ACCOUNTS);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }

            @Override
            public void apply(SourceModel model) {
                for (int id = 1; id <= SourceModel.ACCOUNTS; id++) {
                    model.accounts.put(id, SourceModel.TOTAL_BALANCE / SourceModel.ACCOUNTS);
                }
            }

            @Override
            public int rows() {
                return SourceModel.ACCOUNTS;
            }
        });
    }

    /** Makes one seeded transaction; returns normally even when PostgreSQL was down (it waits for it). */
    void step() {
        int roll = random.nextInt(100);
        Tx tx;
        if (roll < 25 || model.items.size() < 5) {
            tx = insertItems(1 + random.nextInt(5));
        } else if (roll < 45 && ops.contains(Ops.PARTIAL_UPDATE)) {
            tx = updateItem(anyItem(), false);
        } else if (roll < 55 && ops.contains(Ops.FULL_UPDATE)) {
            tx = updateItem(anyItem(), true);
        } else if (roll < 63 && ops.contains(Ops.DELETE)) {
            tx = deleteItem(anyItem());
        } else if (roll < 88 && ops.contains(Ops.TRANSFER)) {
            tx = transfer();
        } else if (roll < 92 && ops.contains(Ops.KEY_CHANGE)) {
            tx = changeKey(anyItem());
        } else if (roll < 94 && ops.contains(Ops.LARGE_TRANSACTION) && !largeDone) {
            largeDone = true;
            tx = largeTransaction();
        } else if (roll < 96 && ops.contains(Ops.TRUNCATE) && !model.events.isEmpty()) {
            tx = truncate();
        } else if (roll < 97 && ops.contains(Ops.SCHEMA_CHANGE) && schemaChanges < MAX_SCHEMA_CHANGES) {
            tx = schemaChange();
        } else {
            tx = insertEvents(1 + random.nextInt(20));
        }
        execute(tx);
    }

    /** Makes the large transaction now when the run has not made one yet (every run has one). */
    void finish() {
        if (ops.contains(Ops.LARGE_TRANSACTION) && !largeDone) {
            largeDone = true;
            execute(largeTransaction());
        }
    }

    private long anyItem() {
        List<Long> ids = new ArrayList<>(model.items.keySet());
        return ids.get(random.nextInt(ids.size()));
    }

    private Tx insertItems(int count) {
        List<Long> ids = new ArrayList<>();
        List<SourceModel.Item> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long id = model.nextItemId++;
            ids.add(id);
            rows.add(new SourceModel.Item(1, "note-" + id, big(random)));
        }
        return new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                for (int i = 0; i < ids.size(); i++) {
                    insertItem(connection, ids.get(i), rows.get(i));
                }
            }

            @Override
            public void apply(SourceModel model) {
                for (int i = 0; i < ids.size(); i++) {
                    model.items.put(ids.get(i), rows.get(i));
                }
            }

            @Override
            public int rows() {
                return ids.size();
            }
        };
    }

    private Tx updateItem(long id, boolean full) {
        SourceModel.Item old = model.items.get(id);
        SourceModel.Item next = new SourceModel.Item(old.version() + 1, "note-" + id + "-v" + (old.version() + 1),
                full ? big(random) : old.big());
        return new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                String sql = full ? "UPDATE items SET version = ?, note = ?, big = ? WHERE id = ?"
                        : "UPDATE items SET version = ?, note = ? WHERE id = ?";
                try (PreparedStatement update = connection.prepareStatement(sql)) {
                    int i = 1;
                    update.setLong(i++, next.version());
                    update.setString(i++, next.note());
                    if (full) {
                        update.setString(i++, next.big());
                    }
                    update.setLong(i, id);
                    update.executeUpdate();
                }
            }

            @Override
            public void apply(SourceModel model) {
                model.items.put(id, next);
            }

            @Override
            public int rows() {
                return 1;
            }
        };
    }

    private Tx deleteItem(long id) {
        return simple(1, "DELETE FROM items WHERE id = " + id, model -> model.items.remove(id));
    }

    private Tx changeKey(long id) {
        long newId = model.nextItemId++;
        return simple(1, "UPDATE items SET id = " + newId + " WHERE id = " + id,
                model -> model.items.put(newId, model.items.remove(id)));
    }

    /**
     * ADD COLUMN (with a default, so every existing row gets a value no row change carries), RENAME COLUMN or
     * DROP COLUMN of an extra column of {@code items}. Each is a shape change the server answers with a refresh of
     * the table; the checker compares every column of every row with the source at the end.
     */
    private Tx schemaChange() {
        int n = ++schemaChanges;
        int kind = extraColumns.isEmpty() ? 0 : random.nextInt(3);
        if (kind == 0) {
            String column = "extra_" + n;
            return schema("ALTER TABLE items ADD COLUMN " + column + " int NOT NULL DEFAULT " + n,
                    () -> extraColumns.add(column));
        }
        int index = random.nextInt(extraColumns.size());
        String column = extraColumns.get(index);
        if (kind == 1) {
            String renamed = column + "_r" + n;
            return schema("ALTER TABLE items RENAME COLUMN " + column + " TO " + renamed,
                    () -> extraColumns.set(index, renamed));
        }
        return schema("ALTER TABLE items DROP COLUMN " + column, () -> extraColumns.remove(index));
    }

    private Tx schema(String sql, Runnable onCommit) {
        Tx ddl = simple(0, sql, model -> { });
        return new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                ddl.run(connection);
            }

            @Override
            public void apply(SourceModel model) {
                onCommit.run();
            }

            @Override
            public int rows() {
                return 0;
            }
        };
    }

    /** A multi-table transaction: a transfer between two accounts (the sum stays constant) and a new item. */
    private Tx transfer() {
        int from = 1 + random.nextInt(SourceModel.ACCOUNTS);
        int to = 1 + (from + random.nextInt(SourceModel.ACCOUNTS - 1)) % SourceModel.ACCOUNTS;
        long amount = 1 + random.nextInt(50);
        Tx item = insertItems(1);
        return new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate("UPDATE accounts SET balance = balance - " + amount + " WHERE id = " + from);
                    item.run(connection);
                    statement.executeUpdate("UPDATE accounts SET balance = balance + " + amount + " WHERE id = " + to);
                }
            }

            @Override
            public void apply(SourceModel model) {
                model.accounts.merge(from, -amount, Long::sum);
                model.accounts.merge(to, amount, Long::sum);
                item.apply(model);
            }

            @Override
            public int rows() {
                return 3;
            }
        };
    }

    private Tx insertEvents(int count) {
        long first = model.nextEventId;
        model.nextEventId += count;
        int batch = (int) first;
        return simple(count, "INSERT INTO events SELECT g, " + batch + ", 'payload-' || g FROM generate_series("
                + first + ", " + (first + count - 1) + ") g", model -> {
                    for (long id = first; id < first + count; id++) {
                        model.events.put(id, batch);
                    }
                });
    }

    private Tx largeTransaction() {
        return insertEvents(LARGE_TRANSACTION_ROWS);
    }

    private Tx truncate() {
        int rows = model.events.size();
        return simple(rows, "TRUNCATE events", model -> model.events.clear());
    }

    private static Tx simple(int rows, String sql, java.util.function.Consumer<SourceModel> effect) {
        return new Tx() {
            @Override
            public void run(Connection connection) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }

            @Override
            public void apply(SourceModel model) {
                effect.accept(model);
            }

            @Override
            public int rows() {
                return rows;
            }
        };
    }

    private static void insertItem(Connection connection, long id, SourceModel.Item item) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO items (id, version, note, big) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setLong(2, item.version());
            insert.setString(3, item.note());
            insert.setString(4, item.big());
            insert.executeUpdate();
        }
    }

    private static String big(Random random) {
        StringBuilder text = new StringBuilder(BIG_CHARS);
        for (int i = 0; i < BIG_CHARS; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    /** Runs {@code tx} until it is known to have committed or known not to have, retrying through outages. */
    private void execute(Tx tx) {
        long number = ++txNumber;
        while (true) {
            try {
                Connection c = connection();
                try (PreparedStatement marker = c.prepareStatement("INSERT INTO chaos_writer VALUES (?)")) {
                    marker.setLong(1, number);
                    marker.executeUpdate();
                }
                tx.run(c);
                c.commit();
                record(tx);
                return;
            } catch (SQLException failed) {
                dropConnection();
                Boolean committed = committed(number);
                if (Boolean.TRUE.equals(committed)) {
                    record(tx);
                    return;
                }
                // Not committed (or PostgreSQL is down: committed() waited for it): run it again.
            }
        }
    }

    private void record(Tx tx) {
        tx.apply(model);
        model.rowChanges += tx.rows();
        model.transactions++;
    }

    /** Asks the source whether transaction {@code number} committed, waiting while PostgreSQL is down. */
    private Boolean committed(long number) {
        while (true) {
            try (Connection c = postgres.connect(database);
                 PreparedStatement query = c.prepareStatement("SELECT 1 FROM chaos_writer WHERE tx = ?")) {
                query.setLong(1, number);
                try (ResultSet row = query.executeQuery()) {
                    return row.next();
                }
            } catch (SQLException down) {
                pause();
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = postgres.connect(database);
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // It is broken anyway.
            }
            connection = null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200); // waiting for PostgreSQL to come back: a retry interval, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    void close() {
        dropConnection();
    }
}
