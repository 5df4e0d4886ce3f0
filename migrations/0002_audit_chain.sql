-- 0002_audit_chain: the per-organization SHA-256 hash chain on audit_logs (encoding audit-v1).
--
-- GoBD Rz. 59 (changes must be logged), §146 Abs. 4 AO and §131 Abs. 1 Z 6 BAO (the original
-- content must remain ascertainable). Encoding, trigger design and privileges follow
-- docs/audit-chain.md; the Swift recomputation is Sources/Compliance/AuditChain*.swift.

-- An earlier audit_logs without our chain columns is kept, renamed to audit_logs_legacy (with its
-- indexes), never dropped: its rows were not tamper-evident and are not part of the chain.
DO $$
DECLARE
    index_name text;
BEGIN
    IF to_regclass('public.audit_logs') IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'audit_logs' AND column_name = 'prev_hash')
    THEN
        IF to_regclass('public.audit_logs_legacy') IS NOT NULL THEN
            RAISE EXCEPTION 'audit_logs has no hash chain and audit_logs_legacy already exists'
                USING HINT = 'rename one of them by hand; nothing was changed';
        END IF;
        ALTER TABLE public.audit_logs RENAME TO audit_logs_legacy;
        FOR index_name IN
            SELECT indexname FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = 'audit_logs_legacy' AND indexname LIKE 'audit\_logs\_%'
        LOOP
            EXECUTE format('ALTER INDEX public.%I RENAME TO %I', index_name,
                           'audit_logs_legacy_' || substr(index_name, length('audit_logs_') + 1));
        END LOOP;
        RAISE NOTICE 'kept the existing audit_logs as audit_logs_legacy';
    END IF;
END
$$;

-- The encoding hashes UTF-8 bytes and octet_length(text) counts bytes in the database
-- encoding, so the database must be UTF8.
DO $$
BEGIN
    IF getdatabaseencoding() <> 'UTF8' THEN
        RAISE EXCEPTION 'the database encoding is %, the audit chain needs UTF8', getdatabaseencoding()
            USING HINT = 'create the database with ENCODING ''UTF8''';
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS audit_logs (
    -- no foreign key here (it would cost a lookup per row): audit_chain_head references
    -- organizations, and the trigger creates the head before the first row of an organization.
    organization_id  uuid NOT NULL,
    seq              bigint NOT NULL,
    occurred_at      timestamptz NOT NULL,
    actor            text NOT NULL,
    action           text NOT NULL,
    entity           text NOT NULL,
    entity_id        text NOT NULL DEFAULT '',
    -- canonical JSON (RFC 8785) produced by the writer; text, never jsonb: jsonb re-serialises
    -- and the stored bytes must equal the hashed bytes. ::json only validates the syntax
    -- (cheaper than building a jsonb value per row).
    payload          text NOT NULL CHECK ((payload::json) IS NOT NULL),
    prev_hash        bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash             bytea NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (organization_id, seq),
    UNIQUE (organization_id, prev_hash)
);

CREATE TABLE IF NOT EXISTS audit_chain_head (
    organization_id  uuid PRIMARY KEY REFERENCES organizations (id),
    last_seq         bigint NOT NULL,
    last_hash        bytea NOT NULL CHECK (octet_length(last_hash) = 32)
);

-- The audit-v1 encoding; the single SQL definition of it (docs/audit-chain.md §3):
--   "audit-v1" || prev_hash || F(org) || F(seq) || F(occurred_at) || F(actor) || F(action)
--   || F(entity) || F(entity_id) || F(payload);   F(s) = uint32 BE byte length || UTF-8 bytes
-- Arguments are the rendered texts. A SQL-standard body (BEGIN ATOMIC) is bound when it is
-- created, so no search_path can redirect it, and the planner inlines it into callers. It is
-- declared STABLE, not IMMUTABLE, because convert_to() is STABLE: an IMMUTABLE function with a
-- STABLE body is never inlined, and running it through the SQL-function executor per row made
-- the trigger a third slower.
CREATE OR REPLACE FUNCTION audit_v1_hash(prev bytea, org text, seq text, ts text, actor text,
                                         action text, entity text, entity_id text, payload text)
    RETURNS bytea LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT sha256('\x61756469742d7631'::bytea || prev
        || int4send(octet_length(org)) || convert_to(org, 'UTF8')
        || int4send(octet_length(seq)) || convert_to(seq, 'UTF8')
        || int4send(octet_length(ts)) || convert_to(ts, 'UTF8')
        || int4send(octet_length(actor)) || convert_to(actor, 'UTF8')
        || int4send(octet_length(action)) || convert_to(action, 'UTF8')
        || int4send(octet_length(entity)) || convert_to(entity, 'UTF8')
        || int4send(octet_length(entity_id)) || convert_to(entity_id, 'UTF8')
        || int4send(octet_length(payload)) || convert_to(payload, 'UTF8'));
END;

-- Timestamp rendering of the chains: UTC, always six fractional digits, 'Z'. Independent of the
-- session's TimeZone and DateStyle (never timestamptz::text).
CREATE OR REPLACE FUNCTION audit_time_text(ts timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
END;

-- The hash of a stored row, for verification in SQL.
CREATE OR REPLACE FUNCTION audit_entry_hash(prev bytea, org uuid, seq bigint, ts timestamptz,
                                            actor text, action text, entity text, entity_id text,
                                            payload text)
    RETURNS bytea LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT audit_v1_hash(prev, org::text, seq::text, audit_time_text(ts), actor, action, entity,
                         entity_id, payload);
END;

-- BEFORE INSERT: lock the organization's head row (writers of one organization serialise until
-- commit; other organizations proceed in parallel), read the newest row of the chain, and
-- assign seq, occurred_at, prev_hash and hash. Whatever the client supplied is overwritten.
--
-- The newest row is read from audit_logs itself (one index probe) instead of from the head
-- row, and the head row is advanced once per statement (audit_logs_advance_head): updating one
-- row thousands of times in one transaction grows its HOT chain and makes bulk inserts
-- quadratic. seq stays gap-free, and a rolled-back row consumes no number, because seq is
-- derived from the rows that exist.
CREATE OR REPLACE FUNCTION audit_logs_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    head_seq  bigint;
    head_hash bytea;
    ts_text   text;
BEGIN
    IF NEW.organization_id IS NULL OR NEW.actor IS NULL OR NEW.action IS NULL OR NEW.entity IS NULL
       OR NEW.entity_id IS NULL OR NEW.payload IS NULL THEN
        -- audit-v1 has no NULL encoding; absent means the empty string.
        RAISE EXCEPTION 'audit_logs: hashed fields must not be NULL' USING ERRCODE = 'not_null_violation';
    END IF;
    -- No control characters in the short fields: CSV exports carry them unchanged (IDEA forbids
    -- line breaks in values, and a replaced character would break recomputation).
    IF (NEW.actor || NEW.action || NEW.entity || NEW.entity_id) ~ '[\u0001-\u001f\u007f]' THEN
        RAISE EXCEPTION 'audit_logs: actor, action, entity and entity_id must not contain control characters'
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM FROM audit_chain_head WHERE organization_id = NEW.organization_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_chain_head (organization_id, last_seq, last_hash)
            VALUES (NEW.organization_id, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
            ON CONFLICT (organization_id) DO NOTHING;
        PERFORM FROM audit_chain_head WHERE organization_id = NEW.organization_id FOR UPDATE;
    END IF;
    SELECT l.seq, l.hash INTO head_seq, head_hash FROM audit_logs l
        WHERE l.organization_id = NEW.organization_id ORDER BY l.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        head_seq := 0;
        head_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    END IF;
    NEW.seq := head_seq + 1;
    NEW.occurred_at := clock_timestamp();
    NEW.prev_hash := head_hash;
    -- Rendered into a variable first: audit_v1_hash uses each argument twice, and the planner
    -- inlines it only when those arguments are plain values.
    ts_text := audit_time_text(NEW.occurred_at);
    NEW.hash := audit_v1_hash(head_hash, NEW.organization_id::text, NEW.seq::text, ts_text,
                              NEW.actor, NEW.action, NEW.entity, NEW.entity_id, NEW.payload);
    RETURN NEW;
END
$$;

-- AFTER INSERT, once per statement: move each touched organization's head to its newest row.
CREATE OR REPLACE FUNCTION audit_logs_advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE audit_chain_head h SET last_seq = n.seq, last_hash = n.hash
    FROM (SELECT DISTINCT ON (organization_id) organization_id, seq, hash
          FROM new_rows ORDER BY organization_id, seq DESC) n
    WHERE h.organization_id = n.organization_id;
    RETURN NULL;
END
$$;

-- Append-only guards. TRUNCATE fires no row triggers, hence the statement trigger.
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'prohibited_sql_statement_attempted';
END
$$;

DROP TRIGGER IF EXISTS audit_logs_chain ON audit_logs;
CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_chain();
DROP TRIGGER IF EXISTS audit_logs_advance_head ON audit_logs;
CREATE TRIGGER audit_logs_advance_head AFTER INSERT ON audit_logs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_advance_head();
DROP TRIGGER IF EXISTS audit_logs_append_only ON audit_logs;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER IF EXISTS audit_logs_no_truncate ON audit_logs;
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Signed checkpoints of a chain head, anchored in S3 Object Lock (written by the export and the
-- daily checkpoint job). Append-only like the chain.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    seq              bigint NOT NULL CHECK (seq >= 0),
    hash             bytea NOT NULL CHECK (octet_length(hash) = 32),
    format           text NOT NULL DEFAULT 'audit-checkpoint-v1',
    encoding         text NOT NULL DEFAULT 'audit-v1',
    key_id           text NOT NULL,
    signature        bytea NOT NULL,
    storage_key      text,
    version_id       text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_checkpoints_org ON audit_checkpoints (organization_id, seq);
DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Results of chain verifications (verify-chain), for the worm-status "audit chain intact" control.
CREATE TABLE IF NOT EXISTS audit_chain_verifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid REFERENCES organizations (id),
    verified_at      timestamptz NOT NULL DEFAULT now(),
    entries          bigint NOT NULL CHECK (entries >= 0),
    head_seq         bigint NOT NULL,
    head_hash        bytea NOT NULL,
    ok               boolean NOT NULL,
    problems         jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS audit_chain_verifications_time ON audit_chain_verifications (verified_at DESC);

-- Privileges: the application role (if the operator created it) may insert the writable
-- columns and read; it cannot update, delete, truncate, or touch the head table.
REVOKE ALL ON audit_logs, audit_chain_head, audit_checkpoints FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immoflow_app') THEN
        GRANT SELECT, INSERT (organization_id, actor, action, entity, entity_id, payload)
            ON audit_logs TO immoflow_app;
        GRANT SELECT ON audit_checkpoints, audit_chain_verifications TO immoflow_app;
    END IF;
END
$$;
