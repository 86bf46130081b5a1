-- Tidemark PostgreSQL client store, version 1: entities, sync state, metadata. ${schema} is the store's quoted schema.

CREATE TABLE ${schema}.entity (
    entity_type text COLLATE "C" NOT NULL,
    entity_id   text COLLATE "C" NOT NULL,
    data        jsonb NOT NULL CONSTRAINT entity_data_is_object CHECK (jsonb_typeof(data) = 'object'),
    PRIMARY KEY (entity_type, entity_id)
);

CREATE TABLE ${schema}.sync_state (
    id                 smallint PRIMARY KEY CHECK (id = 1),
    history_id         text,
    committed_lsn      pg_lsn NOT NULL,
    committed_checksum bigint NOT NULL,
    pending_lsn        pg_lsn
);

INSERT INTO ${schema}.sync_state (id, history_id, committed_lsn, committed_checksum, pending_lsn)
    VALUES (1, NULL, '0/0', 0, NULL);

CREATE TABLE ${schema}.metadata (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
