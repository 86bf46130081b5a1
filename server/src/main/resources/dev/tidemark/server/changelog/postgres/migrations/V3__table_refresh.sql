-- Tidemark change log, version 3: table refresh markers and the shapes capture last saw.

-- "From lsn on, the log holds entity_type's complete history": a reader before lsn that wants the type
-- loads a snapshot of the table at a cut >= lsn. Written in the same transaction as the append whose
-- capture position covers it; trimmed with the changes except each type's newest marker.
CREATE TABLE tidemark.table_refresh (
    lsn          pg_lsn      NOT NULL,
    entity_type  text        NOT NULL,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lsn, entity_type)
);

CREATE INDEX table_refresh_entity_type ON tidemark.table_refresh (entity_type, lsn);

-- The captured tables and the shape (columns, types, key) capture last wrote a marker or a change for,
-- so that a schema change made while capture was down is noticed at the next start.
CREATE TABLE tidemark.captured_table (
    entity_type  text        PRIMARY KEY,
    shape        text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
