package dev.tidemark.store.postgres;

/**
 * The store's SQL, qualified with its schema. The schema name is validated
 * ({@link PostgresStoreConfig}) and quoted, so it cannot inject anything.
 */
final class StoreSql {

    final String schema;
    final String upsert;
    final String delete;
    final String truncate;
    final String move;
    final String lockState;
    final String commitBatch;
    final String commitBatchKeepingPending;
    final String setPending;
    final String reset;
    final String clearEntities;
    final String putMetadata;
    final String readState;
    final String get;
    final String count;
    final String forEach;
    final String metadata;

    StoreSql(String schemaName) {
        schema = "\"" + schemaName + "\"";
        String entity = schema + ".entity";
        String state = schema + ".sync_state";
        upsert = "INSERT INTO " + entity + " AS e (entity_type, entity_id, data) VALUES (?, ?, ?::jsonb)"
                + " ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = e.data || excluded.data";
        delete = "DELETE FROM " + entity + " WHERE entity_type = ? AND entity_id = ?";
        truncate = "DELETE FROM " + entity + " WHERE entity_type = ?";
        // One statement: the entity under the old id (if any, and unless the ids are equal) is deleted,
        // and its data merged with the change's is stored under the new id, replacing what was there.
        // With nothing to move it is the upsert above. Parameters: type, from, to, type, to, data.
        move = "WITH moved AS (DELETE FROM " + entity + " WHERE entity_type = ? AND entity_id = ? AND entity_id <> ?"
                + " RETURNING data)"
                + " INSERT INTO " + entity + " AS e (entity_type, entity_id, data)"
                + " SELECT ?, ?, coalesce((SELECT data FROM moved), '{}'::jsonb) || ?::jsonb"
                + " ON CONFLICT (entity_type, entity_id) DO UPDATE SET data ="
                + " CASE WHEN EXISTS (SELECT 1 FROM moved) THEN excluded.data ELSE e.data || excluded.data END";
        lockState = "SELECT committed_lsn::text, committed_checksum FROM " + state + " WHERE id = 1 FOR UPDATE";
        commitBatch = "UPDATE " + state + " SET committed_lsn = ?::pg_lsn, committed_checksum = ?, pending_lsn = NULL"
                + " WHERE id = 1";
        commitBatchKeepingPending = "UPDATE " + state + " SET committed_lsn = ?::pg_lsn, committed_checksum = ?"
                + " WHERE id = 1";
        setPending = "UPDATE " + state + " SET pending_lsn = ?::pg_lsn WHERE id = 1";
        reset = "UPDATE " + state + " SET history_id = ?, committed_lsn = '0/0', committed_checksum = 0,"
                + " pending_lsn = NULL WHERE id = 1";
        clearEntities = "TRUNCATE " + entity;
        putMetadata = "INSERT INTO " + schema + ".metadata (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        readState = "SELECT history_id, committed_lsn::text, committed_checksum, pending_lsn::text FROM " + state
                + " WHERE id = 1";
        get = "SELECT data::text FROM " + entity + " WHERE entity_type = ? AND entity_id = ?";
        count = "SELECT count(*) FROM " + entity + " WHERE entity_type = ?";
        forEach = "SELECT entity_id, data::text FROM " + entity + " WHERE entity_type = ?";
        metadata = "SELECT value FROM " + schema + ".metadata WHERE key = ?";
    }
}
