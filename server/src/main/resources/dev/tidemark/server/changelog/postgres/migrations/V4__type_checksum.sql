-- Tidemark change log, version 4: running checksums per entity type, so that a client that receives only
-- some entity types can be verified by checksum too (the sum of its types' running sums).

-- "Through lsn, the changes of entity_type sum to cumulative_checksum": one row per complete transaction
-- and entity type it touches, written in the same append as the changes. Trimming keeps each type's newest
-- row at or before the retained position, so the sum through any retained position stays readable.
CREATE TABLE tidemark.type_checksum (
    entity_type         text    NOT NULL,
    lsn                 pg_lsn  NOT NULL,
    cumulative_checksum bigint  NOT NULL,
    PRIMARY KEY (entity_type, lsn)
);

-- The running sum of every entity type through capture_position (type_names and type_totals side by
-- side), and of the pending transaction's changes written so far (beside pending_entity_types), so an
-- append needs no extra read. type_checksums_known is false for a history begun before this version:
-- its per-type sums before the upgrade were never kept (and its trimmed part cannot be split by type),
-- so they stay unknown until the next history; clients that receive only some types are then verified
-- by position only, as before.
ALTER TABLE tidemark.history_state
    ADD COLUMN type_checksums_known   boolean  NOT NULL DEFAULT true,
    ADD COLUMN type_names             text[]   NOT NULL DEFAULT '{}',
    ADD COLUMN type_totals            bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN pending_type_checksums bigint[];

-- A history that never wrote a change (nothing retained, nothing trimmed, nothing pending) has every
-- per-type sum known: zero.
UPDATE tidemark.history_state
   SET type_checksums_known = (retained_from = '0/0' AND pending_lsn IS NULL
                               AND NOT EXISTS (SELECT 1 FROM tidemark.change_transaction));
