-- Tidemark change log, version 1: the history, its changes, its transactions and client progress.

-- One row: which history the log holds, how far capture got, and what was trimmed.
CREATE TABLE tidemark.history_state (
    id                   smallint    PRIMARY KEY CHECK (id = 1),
    history_id           text        NOT NULL,
    -- Every transaction that committed at or before it is in the log; readers see nothing after it.
    capture_position     pg_lsn      NOT NULL,
    -- Transactions at or before it were trimmed (0/0 when nothing was).
    retained_from        pg_lsn      NOT NULL,
    -- Checksum sum (mod 2^64) of every change through capture_position, and through retained_from.
    checksum_total       bigint      NOT NULL,
    trimmed_checksum     bigint      NOT NULL,
    -- The one transaction written in chunks but not yet complete (beyond capture_position), if any.
    pending_lsn          pg_lsn,
    pending_seq          integer,
    pending_checksum     bigint,
    pending_xid          bigint,
    pending_committed_at timestamptz,
    pending_entity_types text[],
    started_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

-- One row per change, keyed by (commit LSN, index in its transaction). The commit time is kept once
-- per transaction, in change_transaction.
CREATE TABLE tidemark.change_history (
    lsn          pg_lsn      NOT NULL,
    seq          integer     NOT NULL,
    xid          bigint      NOT NULL,
    op           text        NOT NULL CHECK (op IN ('update', 'delete', 'truncate')),
    entity_type  text        NOT NULL,
    entity_id    text,
    -- Canonical JSON object text: the columns (update) or the old key (delete).
    data         text,
    PRIMARY KEY (lsn, seq)
);

-- One row per complete transaction with at least one change, with the running checksum through it.
CREATE TABLE tidemark.change_transaction (
    lsn                 pg_lsn      PRIMARY KEY,
    xid                 bigint      NOT NULL,
    change_count        integer     NOT NULL,
    checksum            bigint      NOT NULL,
    cumulative_checksum bigint      NOT NULL,
    committed_at        timestamptz NOT NULL,
    -- The entity types it touches, so a reader finds the next transaction it wants without an index
    -- on every change (which would slow capture's writes).
    entity_types        text[]      NOT NULL
);

-- What the server knows of each client.
CREATE TABLE tidemark.client_progress (
    client_id   text        PRIMARY KEY,
    acked_lsn   pg_lsn      NOT NULL,
    last_ack_at timestamptz,
    last_error  text,
    connected   boolean     NOT NULL,
    updated_at  timestamptz NOT NULL
);
