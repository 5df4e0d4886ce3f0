import Chronology
import Compliance
import JCS
import Redaction

/// One wrapped run, as events (pure): a `started` event before the command, one outcome event
/// after it. Both share `runID`; the started event's id is the annotation pgBackRest stores
/// with the backup, so `info` can be joined to our record (docs/pgbackrest.md G11).
public struct BackupRun: Sendable {
    public let kind: BackupRunKind
    public let runID: String
    public let startedEventID: String
    public let stanza: String?
    public let repo: Int?
    public let host: String?
    public let startedAt: Timestamp
    /// The command as run, secrets redacted.
    public let command: [String]
    /// What the database held just before a backup started (`DatabaseFingerprint`), recorded with
    /// the started event so a restore of this backup can be judged against it (`dr check`).
    public let fingerprint: CanonicalJSON?

    public init(kind: BackupRunKind, runID: String, startedEventID: String, stanza: String?, repo: Int?,
                host: String?, startedAt: Timestamp, command: [String], fingerprint: CanonicalJSON? = nil) {
        self.kind = kind
        self.runID = runID
        self.startedEventID = startedEventID
        self.stanza = stanza
        self.repo = repo
        self.host = host
        self.startedAt = startedAt
        self.command = SecretRedaction.arguments(command)
        self.fingerprint = fingerprint
    }

    public var startedEvent: NewBackupEvent {
        var details: [String: CanonicalJSON] = ["command": .array(command.map { .string($0) })]
        if let fingerprint { details["fingerprint"] = fingerprint }
        return NewBackupEvent(eventID: startedEventID, runID: runID, type: kind.eventType, status: .started, occurredAt: startedAt,
                              stanza: stanza, repo: repo, startedAt: startedAt, host: host, details: CanonicalJSON.object(details).text)
    }

    /// The outcome (docs/pgbackrest.md §5, wrapper rules):
    /// - not exit 0 → `failed`, with the exit code and the last `ERROR: [NNN]` line;
    /// - exit 0 for a backup → the new set is looked up in `info` (by our annotation, else by
    ///   the "new backup label" line) for label, sizes and WAL range; `completed_with_errors`
    ///   when pgBackRest warned about page checksums or info flags `error: true`;
    /// - exit 0 otherwise → `succeeded`.
    /// An `info` that failed or does not list the set leaves a successful backup `succeeded`
    /// (pgBackRest said so) with the reason in `details.info`.
    public func outcome(eventID: String, exit: ProcessExit, finishedAt: Timestamp, output: PgBackRestOutput,
                        info: Result<PgBackRestInfo, InfoDecodingError>?) -> NewBackupEvent {
        var event = NewBackupEvent(eventID: eventID, runID: runID, type: kind.eventType, status: .succeeded,
                                   occurredAt: finishedAt, stanza: stanza, repo: repo, startedAt: startedAt,
                                   finishedAt: max(finishedAt, startedAt), host: host)
        var details: [String: CanonicalJSON] = [
            "command": .array(command.map { .string($0) }),
            "duration_ms": .integer((max(finishedAt, startedAt).microsecondsSinceEpoch - startedAt.microsecondsSinceEpoch) / 1000),
        ]
        switch exit {
        case .exited(let code):
            event.exitCode = Int(code)
        case .signaled(let signal):
            details["signal"] = .integer(Int64(signal))
        case .notStarted, .timedOut:
            break
        }
        guard exit.succeeded else {
            event.status = .failed
            switch exit {
            case .exited(let code): event.errorMessage = output.lastError.map(SecretRedaction.text) ?? "exited with code \(code)"
            case .signaled(let signal): event.errorMessage = output.lastError.map(SecretRedaction.text) ?? "terminated by signal \(signal)"
            case .notStarted(let reason): event.errorMessage = "could not start the command: \(SecretRedaction.text(reason))"
            case .timedOut(let seconds): event.errorMessage = "killed after the \(seconds) s time limit"
            }
            event.details = CanonicalJSON.object(details).text
            return event
        }
        if kind.createsBackup {
            event.label = output.newBackupLabel
            if output.pageChecksumWarning { event.status = .completedWithErrors }
            switch info {
            case .none:
                details["info"] = .string("not read")
            case .failure(let error):
                details["info"] = .string("unavailable: \(SecretRedaction.text(error.description))")
            case .success(let info):
                let candidates = info.stanzas.filter { stanza == nil || $0.name == stanza }
                if let unhealthy = candidates.first(where: { !$0.isHealthy }) {
                    details["info"] = .string(SecretRedaction.text("stanza \(unhealthy.name) status \(unhealthy.status.code): \(unhealthy.status.message)"))
                }
                let backup = candidates.lazy.compactMap { $0.backup(annotatedWith: startedEventID) }.first
                    ?? output.newBackupLabel.flatMap { label in candidates.lazy.compactMap { $0.backup(label: label) }.first }
                if let backup {
                    apply(backup, to: &event)
                    if backup.error { event.status = .completedWithErrors }
                    if backup.type != kind.rawValue, kind != .offsite {
                        details["reported_type"] = .string(backup.type)
                    }
                    if let version = backup.pgbackrestVersion { details["pgbackrest_version"] = .string(version) }
                } else if details["info"] == nil {
                    details["info"] = .string("the new backup set is not listed")
                }
            }
            if event.status == .completedWithErrors, event.errorMessage == nil {
                event.errorMessage = "page checksum errors found (pgbackrest info error: true)"
            }
        }
        event.details = CanonicalJSON.object(details).text
        return event
    }

    private func apply(_ b: PgBackRestInfo.Backup, to event: inout NewBackupEvent) {
        event.label = b.label
        event.sizeBytes = b.size
        event.deltaBytes = b.delta
        event.repoSizeBytes = b.repoSize
        event.repoDeltaBytes = b.repoDelta
        event.walStart = b.walStart
        event.walStop = b.walStop
        event.lsnStart = b.lsnStart
        event.lsnStop = b.lsnStop
        if event.repo == nil { event.repo = b.repoKey }
    }
}
