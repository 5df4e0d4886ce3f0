-- The application role's privileges on the tables the migrations do not grant themselves
-- (run as immoflow_owner after every `migrate`; idempotent):
--   psql "postgresql://immoflow_owner@localhost/immoflow" -v ON_ERROR_STOP=1 -f deploy/postgresql/grants.sql
-- The evidence (audit_logs, backup_audit, their heads, checkpoints, verifications) is granted by
-- the migrations: SELECT and INSERT of the writable columns, never UPDATE, DELETE or TRUNCATE.
GRANT SELECT ON schema_migrations, organizations, tenants, monthly_invoices, ledger_entries TO immoflow_app;
-- the chains' heads: read by `audit verify` and the metrics, written only by the migrations' functions
GRANT SELECT ON audit_chain_head, backup_audit_head TO immoflow_app;
GRANT SELECT, INSERT, UPDATE ON api_tokens, export_packages TO immoflow_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO immoflow_app;
