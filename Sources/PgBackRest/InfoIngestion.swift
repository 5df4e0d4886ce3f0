import Compliance
import JCS

/// `backup ingest` (pure part): the events to backfill for backups that `info` lists and our
/// history lacks. Idempotent by label: a label already recorded with an outcome is skipped, and
/// every backfilled event carries the idempotency key `pgbackrest-info:<stanza>:<label>`, so two
/// concurrent ingests cannot both add it.
public enum InfoIngestion {
    public struct Plan: Sendable, Equatable {
        public var events: [NewBackupEvent] = []
        /// Backups listed in info (for the selected stanzas).
        public var listed = 0
        public var alreadyRecorded = 0
        /// Stanzas whose status was not ok, with the reason (their backups are not ingested).
        public var unhealthy: [String] = []
    }

    public static func idempotencyKey(stanza: String, label: String) -> String { "pgbackrest-info:\(stanza):\(label)" }

    /// - Parameter recorded: (stanza, label) pairs already in `backup_audit` with an outcome.
    public static func plan(_ info: PgBackRestInfo, stanza: String?, recorded: Set<String>) -> Plan {
        var plan = Plan()
        for s in info.stanzas where stanza == nil || s.name == stanza {
            guard s.isHealthy || s.status.code == 2 else {
                let repos = s.repos.filter { $0.status.code != 0 }.map { "repo\($0.key) \($0.status.code): \($0.status.message)" }
                plan.unhealthy.append("stanza \(s.name): status \(s.status.code) (\(s.status.message))"
                                      + (repos.isEmpty ? "" : "; " + repos.joined(separator: "; ")))
                continue
            }
            for b in s.backups {
                plan.listed += 1
                guard !recorded.contains(s.name + "\u{0}" + b.label) else {
                    plan.alreadyRecorded += 1
                    continue
                }
                guard let type = BackupRunKind(rawValue: b.type)?.eventType, let stop = b.stop else { continue }
                var details: [String: CanonicalJSON] = ["source": .string("pgbackrest info")]
                if !b.annotations.isEmpty { details["annotation"] = .object(b.annotations.mapValues { .string($0) }) }
                if let version = b.pgbackrestVersion { details["pgbackrest_version"] = .string(version) }
                plan.events.append(NewBackupEvent(
                    type: type, status: b.error ? .completedWithErrors : .succeeded, occurredAt: stop, stanza: s.name,
                    repo: b.repoKey, label: b.label, startedAt: b.start.map { min($0, stop) }, finishedAt: stop,
                    sizeBytes: b.size, deltaBytes: b.delta, repoSizeBytes: b.repoSize, repoDeltaBytes: b.repoDelta,
                    walStart: b.walStart, walStop: b.walStop, lsnStart: b.lsnStart, lsnStop: b.lsnStop,
                    errorMessage: b.error ? "page checksum errors found (pgbackrest info error: true)" : nil,
                    details: CanonicalJSON.object(details).text,
                    idempotencyKey: idempotencyKey(stanza: s.name, label: b.label)))
            }
        }
        return plan
    }
}
