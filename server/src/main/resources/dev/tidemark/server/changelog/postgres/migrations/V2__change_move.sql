-- Tidemark change log, version 2: the 'move' change (a primary-key change) and its old key.
-- Adding a nullable column without a default only changes the catalog; no row is rewritten.
ALTER TABLE tidemark.change_history ADD COLUMN from_id text;

-- The old check allowed only update, delete and truncate. Every existing row satisfies the new checks
-- (no move, no from_id), so they are added NOT VALID: enforced for new rows without scanning the log.
ALTER TABLE tidemark.change_history DROP CONSTRAINT change_history_op_check;
ALTER TABLE tidemark.change_history ADD CONSTRAINT change_history_op_check
    CHECK (op IN ('update', 'delete', 'truncate', 'move')) NOT VALID;
-- A move names the entity's previous key; no other change does.
ALTER TABLE tidemark.change_history ADD CONSTRAINT change_history_from_id_check
    CHECK ((op = 'move') = (from_id IS NOT NULL)) NOT VALID;
