package dev.tidemark.benchmarks.store;

import java.sql.SQLException;
import java.util.Map;

/** A store under test, with its baselines: fresh storage for every run. */
interface Target extends AutoCloseable {

    /** The store's name, as the SPI knows it. */
    String storeName();

    /** Settings for a new, empty store named {@code run}. */
    Map<String, String> newStoreConfig(String run);

    /** Plain JDBC inserts into a new table laid out as the store's ({@code layout} where it matters). */
    RowWriter newBaseline(String run, Layout layout) throws SQLException;

    /** The same inserts through jOOQ. */
    RowWriter newJooqBaseline(String run) throws SQLException;

    /** Table layouts compared for random keys (SQLite only). */
    enum Layout {
        /** What the store uses. */
        STORE,
        /** SQLite: a {@code WITHOUT ROWID} table clustered on (type, id). */
        CLUSTERED
    }

    /** Frees the storage of run {@code run} (store and baselines). */
    void drop(String run) throws Exception;

    @Override
    void close() throws Exception;
}
