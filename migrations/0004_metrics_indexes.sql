-- 0004_metrics_indexes: indexes for /api/metrics, so a scrape costs index probes per stanza
-- instead of a scan of the whole history (1,000,000 events and more).

-- newest event of a type per stanza (last full/diff/restore test)
CREATE INDEX IF NOT EXISTS backup_audit_stanza_type_time
    ON backup_audit (stanza, event_type, occurred_at DESC, seq DESC);

-- failure counters: a small partial index, counted without touching the history
CREATE INDEX IF NOT EXISTS backup_audit_failures
    ON backup_audit (stanza, event_type) WHERE status = 'failed';
