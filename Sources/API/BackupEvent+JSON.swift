import Chronology
import Compliance
import Crypto
import JCS

extension BackupEvent {
    /// The API representation: every field, times in RFC 3339 UTC, sizes as integers, `details`
    /// as the stored object, hashes in lowercase hex.
    var json: CanonicalJSON {
        func time(_ t: Timestamp?) -> CanonicalJSON { t.map { .string($0.rfc3339) } ?? .null }
        func int(_ v: Int64?) -> CanonicalJSON { v.map { .integer($0) } ?? .null }
        func text(_ s: String?) -> CanonicalJSON { s.map { .string($0) } ?? .null }
        var duration: CanonicalJSON = .null
        if let s = startedAt, let f = finishedAt {
            duration = .integer((f.microsecondsSinceEpoch - s.microsecondsSinceEpoch) / 1_000_000)
        }
        return .object([
            "seq": .integer(seq), "event_id": .string(eventID), "run_id": text(runID), "type": .string(type.rawValue),
            "status": .string(status.rawValue), "occurred_at": time(occurredAt), "recorded_at": time(recordedAt),
            "stanza": text(stanza), "repo": repo.map { .integer(Int64($0)) } ?? .null, "label": text(label),
            "started_at": time(startedAt), "finished_at": time(finishedAt), "duration_seconds": duration,
            "size_bytes": int(sizeBytes), "delta_bytes": int(deltaBytes), "repo_size_bytes": int(repoSizeBytes),
            "repo_delta_bytes": int(repoDeltaBytes), "wal_start": text(walStart), "wal_stop": text(walStop),
            "lsn_start": text(lsnStart), "lsn_stop": text(lsnStop), "exit_code": exitCode.map { .integer(Int64($0)) } ?? .null,
            "error": text(errorMessage), "host": text(host), "details": .verbatim(details),
            "prev_hash": .string(Hex.encode(prevHash)), "hash": .string(Hex.encode(hash)),
        ])
    }
}
