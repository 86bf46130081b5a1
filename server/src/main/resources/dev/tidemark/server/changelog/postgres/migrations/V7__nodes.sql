-- Tidemark change log, version 7: the nodes that serve this change log, for tidemark status and operators.

-- One row per running server node, written by the node itself: inserted when it starts, updated on every
-- heartbeat (every heartbeat_interval_ms), deleted when it stops cleanly. A node whose heartbeat is older than
-- three intervals is gone (killed, cut off); rows gone for long are pruned by the other nodes. Times are
-- PostgreSQL's own (now()), so the nodes' clocks do not matter.
CREATE TABLE IF NOT EXISTS tidemark.node (
    name                  text        PRIMARY KEY,
    url                   text        NOT NULL,
    started_at            timestamptz NOT NULL DEFAULT now(),
    heartbeat_at          timestamptz NOT NULL DEFAULT now(),
    heartbeat_interval_ms integer     NOT NULL CHECK (heartbeat_interval_ms > 0),
    capture_leader        boolean     NOT NULL DEFAULT false,
    clients               integer     NOT NULL DEFAULT 0,
    client_ids            text[]      NOT NULL DEFAULT '{}',
    live_lag_bytes        bigint      NOT NULL DEFAULT 0
);
