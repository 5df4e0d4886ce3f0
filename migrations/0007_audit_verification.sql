-- 0007_audit_verification: what `audit verify` records and `audit checkpoint` stores (issue 15).
--
-- Every verification run leaves one row per chain it verified: an organization's audit_logs
-- chain, or (organization_id NULL) the global backup_audit chain, with the number of problems,
-- the first of them and how many checkpoints were judged. The worm-status control audit_chain,
-- the metrics and GET /api/compliance/audit-chain read these rows.
ALTER TABLE audit_chain_verifications
    ADD COLUMN IF NOT EXISTS chain text NOT NULL DEFAULT 'audit_logs' CHECK (chain IN ('audit_logs', 'backup_audit')),
    ADD COLUMN IF NOT EXISTS problem_count bigint NOT NULL DEFAULT 0 CHECK (problem_count >= 0),
    ADD COLUMN IF NOT EXISTS explained_count bigint NOT NULL DEFAULT 0 CHECK (explained_count >= 0),
    ADD COLUMN IF NOT EXISTS first_problem text,
    ADD COLUMN IF NOT EXISTS checkpoints_checked integer NOT NULL DEFAULT 0 CHECK (checkpoints_checked >= 0);
-- A chain found in audit_logs under an organization that is not in organizations (rows moved
-- there by someone) is still verified and recorded: no foreign key on the verification.
ALTER TABLE audit_chain_verifications DROP CONSTRAINT IF EXISTS audit_chain_verifications_organization_id_fkey;
CREATE INDEX IF NOT EXISTS audit_chain_verifications_org_time
    ON audit_chain_verifications (organization_id, verified_at DESC, id DESC);

-- A checkpoint's object in the WORM store: locked until retain_until, its bytes' SHA-256.
ALTER TABLE audit_checkpoints
    ADD COLUMN IF NOT EXISTS retain_until timestamptz,
    ADD COLUMN IF NOT EXISTS object_sha256 bytea CHECK (octet_length(object_sha256) = 32);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immoflow_app') THEN
        GRANT INSERT ON audit_chain_verifications, audit_checkpoints TO immoflow_app;
    END IF;
END
$$;
