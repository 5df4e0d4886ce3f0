-- 0005_backup_audit_time_range: every time stored in backup_audit lies in the years 0001–9999.
--
-- The backup-audit-v1 encoding renders times with audit_time_text() (to_char 'YYYY…'), which
-- writes 1 BC as "0001" and has no sign, while RFC 3339 and the Swift encoder write "0000": a row
-- outside 0001–9999 would hash differently in SQL and in the verifier. The API and the wrapper
-- already refuse such times (issue 12); this holds every other writer to the same range.
--
-- NOT VALID: new rows are checked, existing rows are neither scanned nor rewritten (the table is
-- append-only evidence; a migration must not fail on, or change, what was recorded before).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'backup_audit_times_in_range') THEN
        ALTER TABLE backup_audit ADD CONSTRAINT backup_audit_times_in_range CHECK (
            occurred_at BETWEEN '0001-01-01T00:00:00Z' AND '9999-12-31T23:59:59.999999Z'
            AND recorded_at BETWEEN '0001-01-01T00:00:00Z' AND '9999-12-31T23:59:59.999999Z'
            AND (started_at IS NULL OR started_at BETWEEN '0001-01-01T00:00:00Z' AND '9999-12-31T23:59:59.999999Z')
            AND (finished_at IS NULL OR finished_at BETWEEN '0001-01-01T00:00:00Z' AND '9999-12-31T23:59:59.999999Z')
        ) NOT VALID;
    END IF;
END
$$;
