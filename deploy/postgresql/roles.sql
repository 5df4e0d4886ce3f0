-- The database and its two roles (run once, as the PostgreSQL superuser, BEFORE the first migrate):
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql/roles.sql
--   sudo -u postgres psql -c '\password immoflow_owner' -c '\password immoflow_app'
-- immoflow_owner owns the schema and runs `immoflow-compliance migrate`; the server and the jobs
-- connect as immoflow_app, which may read and append but never rewrite the evidence: the
-- migrations grant it SELECT and column INSERT on audit_logs and backup_audit (if the role exists
-- when they run — hence before the first migrate), deploy/postgresql/grants.sql the rest.
SELECT 'CREATE ROLE immoflow_owner LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immoflow_owner') \gexec
SELECT 'CREATE ROLE immoflow_app LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immoflow_app') \gexec
SELECT 'CREATE DATABASE immoflow OWNER immoflow_owner ENCODING ''UTF8'' TEMPLATE template0'
    WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'immoflow') \gexec
REVOKE ALL ON DATABASE immoflow FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE immoflow TO immoflow_app;
\connect immoflow
ALTER SCHEMA public OWNER TO immoflow_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO immoflow_app;
