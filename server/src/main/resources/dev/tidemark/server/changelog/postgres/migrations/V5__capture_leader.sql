-- Tidemark change log, version 5: the capture leader, for several server nodes sharing one change log.

-- One row. epoch grows by one each time a node takes the capture lease; every append checks, in its own
-- transaction, that the epoch is still the one its node took, so a node that lost the lease (another took
-- over) cannot write, even with an append already in flight. node and slot_name say who leads and from
-- which replication slot the log is captured (every node must use that slot).
CREATE TABLE IF NOT EXISTS tidemark.capture_leader (
    id        boolean     PRIMARY KEY DEFAULT true CHECK (id),
    epoch     bigint      NOT NULL,
    node      text,
    slot_name text,
    since     timestamptz
);

INSERT INTO tidemark.capture_leader (epoch) VALUES (0) ON CONFLICT (id) DO NOTHING;
