package dev.tidemark.app.demo;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a steady stream of realistic transactions at the source: new customers and orders, updates
 * that leave the large order note untouched, deletes, audit rows, and now and then a truncate.
 */
public final class DemoWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DemoWriter.class);
    private static final String[] TIERS = {"free", "pro", "team", "enterprise"};
    private static final String[] STATUSES = {"placed", "paid", "packed", "shipped", "delivered"};

    private final SourceSettings source;
    private final double transactionsPerSecond;
    private final RandomGenerator random;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong committed = new AtomicLong();

    /**
     * @param source the database to write to (with {@link DemoSchema} created)
     * @param transactionsPerSecond the pace of {@link #run()}
     * @param random decides what each transaction does
     */
    public DemoWriter(SourceSettings source, double transactionsPerSecond, RandomGenerator random) {
        this.source = requireNonNull(source, "source is null");
        this.transactionsPerSecond = transactionsPerSecond;
        this.random = requireNonNull(random, "random is null");
    }

    /** Commits {@code count} transactions as fast as the database takes them, on the calling thread. */
    public void writeTransactions(int count) throws SQLException {
        try (Connection connection = source.connect()) {
            connection.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                writeOne(connection, committed.get() + 1);
                connection.commit();
                committed.incrementAndGet();
            }
        }
    }

    public long committedTransactions() {
        return committed.get();
    }

    /** Asks the writer to stop and waits until its last transaction is committed or rolled back. */
    public void stopAndWait() throws InterruptedException {
        stop.countDown();
        stopped.await();
    }

    @Override
    public void run() {
        long pauseNanos = (long) (1e9 / transactionsPerSecond);
        try (Connection connection = source.connect()) {
            connection.setAutoCommit(false);
            long transaction = 0;
            // The stop latch paces the writer and ends it at once when counted down.
            while (!stop.await(pauseNanos, TimeUnit.NANOSECONDS)) {
                writeOne(connection, transaction++);
                connection.commit();
                committed.incrementAndGet();
            }
        } catch (SQLException e) {
            log.error("the demo writer failed: {}", e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    private void writeOne(Connection connection, long transaction) throws SQLException {
        int operations = 1 + random.nextInt(4);
        for (int i = 0; i < operations; i++) {
            int dice = random.nextInt(100);
            if (dice < 25) {
                insertCustomer(connection);
            } else if (dice < 40) {
                updateCustomer(connection);
            } else if (dice < 65) {
                insertOrder(connection);
            } else if (dice < 85) {
                updateOrderStatus(connection);
            } else if (dice < 92) {
                deleteOrder(connection);
            } else {
                insertAudit(connection);
            }
        }
        if (transaction > 0 && transaction % Math.max(50, (long) (transactionsPerSecond * 20)) == 0) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE audit_log");
            }
        }
    }

    private void insertCustomer(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO customers (id, name, email, tier, credit) VALUES (?, ?, ?, ?, ?)")) {
            UUID id = UUID.randomUUID();
            String name = "Customer " + id.toString().substring(0, 8);
            insert.setObject(1, id);
            insert.setString(2, name);
            insert.setString(3, id.toString().substring(0, 8) + "@example.com");
            insert.setString(4, TIERS[random.nextInt(TIERS.length)]);
            insert.setBigDecimal(5, java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
            insert.executeUpdate();
        }
    }

    private void updateCustomer(Connection connection) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE customers SET tier = ?, credit = credit + 1.25, updated_at = now()
                WHERE id = (SELECT id FROM customers ORDER BY random() LIMIT 1)""")) {
            update.setString(1, TIERS[random.nextInt(TIERS.length)]);
            update.executeUpdate();
        }
    }

    private void insertOrder(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO orders (customer_id, status, amount, items, note)
                SELECT id, 'placed', ?, ?::jsonb, ? FROM customers ORDER BY random() LIMIT 1""")) {
            insert.setBigDecimal(1, java.math.BigDecimal.valueOf(100 + random.nextInt(100_000), 2));
            insert.setString(2, "[{\"sku\":\"SKU-" + random.nextInt(1000) + "\",\"qty\":" + (1 + random.nextInt(5))
                    + "},{\"sku\":\"SKU-" + random.nextInt(1000) + "\",\"qty\":1,\"gift\":" + random.nextBoolean() + "}]");
            insert.setString(3, largeNote());
            insert.executeUpdate();
        }
    }

    private void updateOrderStatus(Connection connection) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE orders SET status = ? WHERE id = (SELECT id FROM orders ORDER BY random() LIMIT 1)""")) {
            update.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
            update.executeUpdate();
        }
    }

    private void deleteOrder(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM orders WHERE id = (SELECT id FROM orders ORDER BY random() LIMIT 1)");
        }
    }

    private void insertAudit(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_log (event) SELECT 'event ' || g FROM generate_series(1, ?) g")) {
            insert.setInt(1, 1 + random.nextInt(20));
            insert.executeUpdate();
        }
    }

    /** About 3 KiB of text that does not compress, so PostgreSQL stores it out of line. */
    private String largeNote() {
        StringBuilder note = new StringBuilder(3200);
        while (note.length() < 3000) {
            note.append(Long.toString(random.nextLong(), 36));
        }
        return note.toString();
    }

}
