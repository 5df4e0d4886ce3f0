-- 0008_export_jobs: export packages built on request (issue 16). A package row is written when
-- the export starts ('queued' by the API, 'running' by the CLI) and finished as 'succeeded' with
-- its SHA-256, size, row counts and lock, or 'failed' with the reason; a server that restarts
-- marks its interrupted exports failed — never half-done. Rows recorded before this migration
-- were WORM packages that existed: 'succeeded', worm.
ALTER TABLE export_packages
    ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'succeeded' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    -- whether the package goes to the WORM store (only these count as packages that must be locked)
    ADD COLUMN IF NOT EXISTS worm boolean NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS requested_by text,
    ADD COLUMN IF NOT EXISTS started_at timestamptz,
    ADD COLUMN IF NOT EXISTS finished_at timestamptz,
    ADD COLUMN IF NOT EXISTS error text,
    -- rows per data file, a JSON object ({"audit_logs": 2000000, …})
    ADD COLUMN IF NOT EXISTS row_counts text CHECK (row_counts IS NULL OR jsonb_typeof(row_counts::jsonb) = 'object'),
    ADD COLUMN IF NOT EXISTS file_name text,
    -- where the server keeps the package file (its export directory), for downloads
    ADD COLUMN IF NOT EXISTS local_path text,
    ADD COLUMN IF NOT EXISTS chain_first_seq bigint,
    ADD COLUMN IF NOT EXISTS chain_last_seq bigint,
    ADD COLUMN IF NOT EXISTS chain_head bytea CHECK (octet_length(chain_head) = 32),
    ADD COLUMN IF NOT EXISTS generator text;
CREATE INDEX IF NOT EXISTS export_packages_created ON export_packages (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS export_packages_state ON export_packages (state) WHERE state IN ('queued', 'running');
