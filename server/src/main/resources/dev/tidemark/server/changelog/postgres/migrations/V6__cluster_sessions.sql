-- Tidemark change log, version 6: hub state shared by every node that serves clients from this change log.

-- Which session serves each client. A node claims a client when a session of it starts streaming; claims are
-- numbered from one sequence and only a newer claim replaces a row, so the newest connection wins on every node.
-- The claiming node notifies tidemark_session with '<claim> <client id>'; a node whose session holds an older
-- claim closes it (superseded), as it does for two connections of one client on one node.
CREATE SEQUENCE IF NOT EXISTS tidemark.client_session_claim;

CREATE TABLE IF NOT EXISTS tidemark.client_session (
    client_id text        PRIMARY KEY,
    claim     bigint      NOT NULL,
    node      text        NOT NULL,
    session   text        NOT NULL,
    since     timestamptz NOT NULL
);

-- The per-client rate limits of expensive requests (kind: sync_verify, source_verify): one row per client and
-- kind, admitted by one upsert that moves last_at only when the interval has passed.
CREATE TABLE IF NOT EXISTS tidemark.client_request (
    client_id text        NOT NULL,
    kind      text        NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, kind)
);

-- The resync pacer's token bucket (one row) and the clients told to come back for their resync snapshot.
CREATE TABLE IF NOT EXISTS tidemark.resync_pacer (
    id          boolean          PRIMARY KEY DEFAULT true CHECK (id),
    tokens      double precision,
    refilled_at timestamptz
);

INSERT INTO tidemark.resync_pacer (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS tidemark.resync_waiting (
    client_id    text        PRIMARY KEY,
    come_back_at timestamptz NOT NULL
);

-- Admits one resync of p_client now (returns 0) or says in how many seconds it may come back (before jitter).
-- A token bucket of p_burst tokens refilled at p_rate per second; clients already told to come back (and not
-- more than a minute late) queue ahead of new arrivals. Serialized by the pacer row's lock.
CREATE OR REPLACE FUNCTION tidemark.admit_resync(p_client text, p_rate double precision, p_burst integer)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    v_now      timestamptz := clock_timestamp();
    v_tokens   double precision;
    v_at       timestamptz;
    v_promised bigint;
    v_wait     double precision;
BEGIN
    SELECT tokens, refilled_at INTO v_tokens, v_at FROM tidemark.resync_pacer WHERE id FOR UPDATE;
    IF v_tokens IS NULL OR v_at IS NULL THEN
        v_tokens := p_burst;
    ELSE
        v_tokens := LEAST(p_burst::double precision,
                          v_tokens + p_rate * GREATEST(0, EXTRACT(EPOCH FROM v_now - v_at)));
    END IF;
    DELETE FROM tidemark.resync_waiting
     WHERE client_id = p_client OR come_back_at < v_now - interval '1 minute';
    SELECT count(*) INTO v_promised FROM tidemark.resync_waiting;
    IF v_tokens >= 1 AND v_promised = 0 THEN
        UPDATE tidemark.resync_pacer SET tokens = v_tokens - 1, refilled_at = v_now WHERE id;
        RETURN 0;
    END IF;
    v_wait := (v_promised + 1 - v_tokens) / p_rate;
    UPDATE tidemark.resync_pacer SET tokens = v_tokens, refilled_at = v_now WHERE id;
    INSERT INTO tidemark.resync_waiting (client_id, come_back_at)
    VALUES (p_client, v_now + make_interval(secs => v_wait));
    RETURN v_wait;
END
$$;
