import Chronology
import Compliance
import Crypto
import JCS

extension BackupEvent {
    /// The API representation — every field, times in RFC 3339 UTC, sizes as integers, `details`
    /// as the stored object, hashes in lowercase hex — written straight into the response buffer
    /// (members in a fixed order; the hot path of `/api/compliance/backup-events`).
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("seq"); w.integer(seq)
        w.key("event_id"); w.string(eventID)
        w.key("run_id"); w.string(runID)
        w.key("type"); w.string(type.rawValue)
        w.key("status"); w.string(status.rawValue)
        w.key("occurred_at"); occurredAt.withRFC3339 { w.asciiString(raw: $0) }
        w.key("recorded_at"); recordedAt.withRFC3339 { w.asciiString(raw: $0) }
        w.key("stanza"); w.string(stanza)
        w.key("repo"); w.integer(repo)
        w.key("label"); w.string(label)
        w.key("started_at"); if let t = startedAt { t.withRFC3339 { w.asciiString(raw: $0) } } else { w.null() }
        w.key("finished_at"); if let t = finishedAt { t.withRFC3339 { w.asciiString(raw: $0) } } else { w.null() }
        w.key("duration_seconds")
        if let s = startedAt, let f = finishedAt {
            w.integer((f.microsecondsSinceEpoch - s.microsecondsSinceEpoch) / 1_000_000)
        } else {
            w.null()
        }
        w.key("size_bytes"); w.integer(sizeBytes)
        w.key("delta_bytes"); w.integer(deltaBytes)
        w.key("repo_size_bytes"); w.integer(repoSizeBytes)
        w.key("repo_delta_bytes"); w.integer(repoDeltaBytes)
        w.key("wal_start"); w.string(walStart)
        w.key("wal_stop"); w.string(walStop)
        w.key("lsn_start"); w.string(lsnStart)
        w.key("lsn_stop"); w.string(lsnStop)
        w.key("exit_code"); w.integer(exitCode)
        w.key("error"); w.string(errorMessage)
        w.key("host"); w.string(host)
        w.key("details"); w.raw(details)
        w.key("prev_hash"); w.hex(prevHash)
        w.key("hash"); w.hex(hash)
        w.endObject()
    }
}
