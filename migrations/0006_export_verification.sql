-- 0006_export_verification: why the last check of an export package's lock failed.
--
-- The server reads each package's lock from the WORM store by version (issue 14, item 6) and
-- records when (last_verified_at), whether it held (last_verification_ok) and, when it did not,
-- why (this column: "the version is not locked", "… locked until …, before the legal …"), so that
-- the worm-status control names the object and the reason.
ALTER TABLE export_packages ADD COLUMN IF NOT EXISTS last_verification_problem text;
