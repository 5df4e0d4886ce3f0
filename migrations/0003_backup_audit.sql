-- 0003_backup_audit: one immutable row per backup-related event, in one global hash chain
-- (encoding backup-audit-v1, docs/audit-chain.md §backup_audit). pgbackrest info never shows
-- failed, aborted or killed backups, so these rows are the only evidence of them.
--
-- An attempt is two rows sharing run_id: 'started', then 'succeeded' | 'completed_with_errors'
-- | 'failed'. Rows are never updated.

CREATE TABLE IF NOT EXISTS backup_audit (
    seq               bigint PRIMARY KEY,
    event_id          uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    run_id            uuid,
    event_type        text NOT NULL CHECK (event_type IN (
                          'backup_full', 'backup_diff', 'backup_incr', 'check', 'expire',
                          'offsite_copy', 'stanza_create', 'wal_archive', 'restore',
                          'restore_test', 'dr_exercise', 'verify', 'export_created',
                          'worm_locked', 'legal_hold')),
    status            text NOT NULL CHECK (status IN ('started', 'succeeded', 'completed_with_errors', 'failed')),
    -- when the event happened (for an outcome: when the run finished)
    occurred_at       timestamptz NOT NULL,
    -- when this server stored it (set by the trigger)
    recorded_at       timestamptz NOT NULL,
    stanza            text,
    repo              smallint CHECK (repo BETWEEN 1 AND 256),
    label             text,
    started_at        timestamptz,
    finished_at       timestamptz,
    size_bytes        bigint CHECK (size_bytes >= 0),
    delta_bytes       bigint CHECK (delta_bytes >= 0),
    repo_size_bytes   bigint CHECK (repo_size_bytes >= 0),
    repo_delta_bytes  bigint CHECK (repo_delta_bytes >= 0),
    wal_start         text,
    wal_stop          text,
    lsn_start         text,
    lsn_stop          text,
    exit_code         integer,
    error_message     text,
    host              text,
    -- a JSON object as text: hashed as stored, returned as an object by the API
    details           text NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details::jsonb) = 'object'),
    idempotency_key   text UNIQUE CHECK (octet_length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256    bytea CHECK (octet_length(request_sha256) = 32),
    prev_hash         bytea NOT NULL UNIQUE CHECK (octet_length(prev_hash) = 32),
    hash              bytea NOT NULL CHECK (octet_length(hash) = 32),
    CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX IF NOT EXISTS backup_audit_time ON backup_audit (occurred_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS backup_audit_type_time ON backup_audit (event_type, occurred_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS backup_audit_status_time ON backup_audit (status, occurred_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS backup_audit_run ON backup_audit (run_id);
CREATE INDEX IF NOT EXISTS backup_audit_label ON backup_audit (stanza, label) WHERE label IS NOT NULL;

CREATE TABLE IF NOT EXISTS backup_audit_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq   bigint NOT NULL,
    last_hash  bytea NOT NULL CHECK (octet_length(last_hash) = 32)
);
INSERT INTO backup_audit_head (singleton, last_seq, last_hash)
    VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
    ON CONFLICT (singleton) DO NOTHING;

-- The backup-audit-v1 encoding (docs/audit-chain.md, "backup_audit"), over a stored row:
--   "backup-audit-v1" || prev_hash || F(seq) || F(event_id) || N(run_id) || F(event_type)
--   || F(status) || F(occurred_at) || F(recorded_at) || N(stanza) || N(repo) || N(label)
--   || N(started_at) || N(finished_at) || N(size_bytes) || N(delta_bytes) || N(repo_size_bytes)
--   || N(repo_delta_bytes) || N(wal_start) || N(wal_stop) || N(lsn_start) || N(lsn_stop)
--   || N(exit_code) || N(error_message) || N(host) || F(details) || N(idempotency_key)
--   || N(lower-case hex of request_sha256)
-- F(s) = uint32 BE byte length || UTF-8 bytes; N(s) = F(s), or FF FF FF FF for SQL NULL
-- (PostgreSQL's wire convention, distinct from '' = 00 00 00 00). Numbers are their ::text,
-- timestamps audit_time_text(), uuids lowercase ::text.
CREATE OR REPLACE FUNCTION audit_field_n(t text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN t IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(t)) || convert_to(t, 'UTF8') END;
END;

CREATE OR REPLACE FUNCTION backup_audit_hash(r backup_audit) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT sha256('\x6261636b75702d61756469742d7631'::bytea || r.prev_hash
        || audit_field_n(r.seq::text) || audit_field_n(r.event_id::text) || audit_field_n(r.run_id::text)
        || audit_field_n(r.event_type) || audit_field_n(r.status)
        || audit_field_n(audit_time_text(r.occurred_at)) || audit_field_n(audit_time_text(r.recorded_at))
        || audit_field_n(r.stanza) || audit_field_n(r.repo::text) || audit_field_n(r.label)
        || audit_field_n(audit_time_text(r.started_at)) || audit_field_n(audit_time_text(r.finished_at))
        || audit_field_n(r.size_bytes::text) || audit_field_n(r.delta_bytes::text)
        || audit_field_n(r.repo_size_bytes::text) || audit_field_n(r.repo_delta_bytes::text)
        || audit_field_n(r.wal_start) || audit_field_n(r.wal_stop)
        || audit_field_n(r.lsn_start) || audit_field_n(r.lsn_stop)
        || audit_field_n(r.exit_code::text) || audit_field_n(r.error_message)
        || audit_field_n(r.host) || audit_field_n(r.details)
        || audit_field_n(r.idempotency_key) || audit_field_n(encode(r.request_sha256, 'hex')));
END;

-- BEFORE INSERT: one global chain. Locks the head row, reads the newest event, assigns seq,
-- recorded_at, prev_hash and hash (same design as audit_logs_chain).
CREATE OR REPLACE FUNCTION backup_audit_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    head_seq  bigint;
    head_hash bytea;
BEGIN
    PERFORM FROM backup_audit_head WHERE singleton FOR UPDATE;
    SELECT b.seq, b.hash INTO head_seq, head_hash FROM backup_audit b ORDER BY b.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        head_seq := 0;
        head_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    END IF;
    NEW.seq := head_seq + 1;
    NEW.recorded_at := clock_timestamp();
    NEW.occurred_at := coalesce(NEW.occurred_at, NEW.recorded_at);
    NEW.event_id := coalesce(NEW.event_id, gen_random_uuid());
    NEW.details := coalesce(NEW.details, '{}');
    NEW.prev_hash := head_hash;
    NEW.hash := backup_audit_hash(NEW);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION backup_audit_advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE backup_audit_head h SET last_seq = n.seq, last_hash = n.hash
    FROM (SELECT seq, hash FROM new_rows ORDER BY seq DESC LIMIT 1) n
    WHERE h.singleton;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS backup_audit_chain ON backup_audit;
CREATE TRIGGER backup_audit_chain BEFORE INSERT ON backup_audit
    FOR EACH ROW EXECUTE FUNCTION backup_audit_chain();
DROP TRIGGER IF EXISTS backup_audit_advance_head ON backup_audit;
CREATE TRIGGER backup_audit_advance_head AFTER INSERT ON backup_audit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION backup_audit_advance_head();
DROP TRIGGER IF EXISTS backup_audit_append_only ON backup_audit;
CREATE TRIGGER backup_audit_append_only BEFORE UPDATE OR DELETE ON backup_audit
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER IF EXISTS backup_audit_no_truncate ON backup_audit;
CREATE TRIGGER backup_audit_no_truncate BEFORE TRUNCATE ON backup_audit
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

REVOKE ALL ON backup_audit, backup_audit_head FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immoflow_app') THEN
        GRANT SELECT, INSERT (event_id, run_id, event_type, status, occurred_at, stanza, repo, label,
                              started_at, finished_at, size_bytes, delta_bytes, repo_size_bytes,
                              repo_delta_bytes, wal_start, wal_stop, lsn_start, lsn_stop, exit_code,
                              error_message, host, details, idempotency_key, request_sha256)
            ON backup_audit TO immoflow_app;
    END IF;
END
$$;
