import Chronology

/// The evaluated dashboard: every control and the overall status (the worst control).
public struct WormStatus: Sendable, Equatable {
    public let evaluatedAt: Timestamp
    public let controls: [ComplianceControl]
    public let exports: ComplianceEvidence.Exports

    public var overall: ControlStatus { controls.map(\.status).max() ?? .unknown }

    /// Judges `evidence` at `now` against `thresholds`.
    public init(evidence e: ComplianceEvidence, thresholds t: ControlThresholds, now: Timestamp) {
        evaluatedAt = now
        exports = e.exports
        func age(_ evidence: ControlEvidence?) -> Int64? { evidence.map { max(0, now.secondsSinceEpoch - $0.occurredAt.secondsSinceEpoch) } }

        /// A control proven by a recent success: violation when the newest success is too old,
        /// warning when it is fresh but the newest attempt failed.
        func freshness(_ id: String, _ title: String, _ latest: ComplianceEvidence.Latest, _ threshold: Int64) -> ComplianceControl {
            guard let success = latest.lastSuccess, let a = age(success) else {
                return ComplianceControl(id: id, title: title, status: .unknown, thresholdSeconds: threshold, ageSeconds: nil,
                                         evidence: nil, detail: "no successful event recorded")
            }
            if a > threshold {
                return ComplianceControl(id: id, title: title, status: .violation, thresholdSeconds: threshold, ageSeconds: a,
                                         evidence: success, detail: "the last success is older than allowed")
            }
            if let outcome = latest.lastOutcome, outcome.status == .failed, outcome.evidence.seq > success.seq {
                return ComplianceControl(id: id, title: title, status: .warning, thresholdSeconds: threshold, ageSeconds: a,
                                         evidence: outcome.evidence, detail: "the last attempt failed; the previous success is still in time")
            }
            return ComplianceControl(id: id, title: title, status: .ok, thresholdSeconds: threshold, ageSeconds: a,
                                     evidence: success, detail: "within the threshold")
        }

        var controls = [
            freshness("full_backup", "Last successful full backup", e.fullBackup, t.fullBackup),
            freshness("diff_backup", "Last successful differential backup", e.diffBackup, t.diffBackup),
        ]

        if let archiver = e.archiver {
            let status: ControlStatus
            let detail: String
            // The newest recorded wal_archive outcome, when it is a failure not yet followed by a
            // recorded recovery: the evidence of a failing archive_command.
            let recordedFailure = e.walArchive.lastOutcome.flatMap { $0.status == .failed ? $0.evidence : nil }
            if !archiver.archivingEnabled {
                (status, detail) = (.violation, "WAL archiving is off (archive_mode)")
            } else if archiver.lagSeconds > t.walArchiveLag {
                (status, detail) = (.violation, "WAL has waited longer than the RPO")
            } else if archiver.failingNow || recordedFailure != nil {
                (status, detail) = (.warning, "archive_command is failing (the last attempt failed or a recorded failure has no recovery yet)")
            } else {
                (status, detail) = (.ok, "within the RPO")
            }
            controls.append(ComplianceControl(id: "wal_archive_lag", title: "WAL archive lag", status: status,
                                              thresholdSeconds: t.walArchiveLag, ageSeconds: archiver.lagSeconds,
                                              evidence: status == .ok ? nil : recordedFailure, detail: detail))
        } else {
            controls.append(ComplianceControl(id: "wal_archive_lag", title: "WAL archive lag", status: .unknown,
                                              thresholdSeconds: t.walArchiveLag, ageSeconds: nil, evidence: nil,
                                              detail: "pg_stat_archiver could not be read"))
        }

        // The restore test must be recent and its newest outcome a success.
        var restore = freshness("restore_test", "Last restore test", e.restoreTest, t.restoreTest)
        if restore.status == .warning {
            restore = ComplianceControl(id: restore.id, title: restore.title, status: .violation, thresholdSeconds: restore.thresholdSeconds,
                                        ageSeconds: restore.ageSeconds, evidence: restore.evidence, detail: "the last restore test failed")
        }
        controls.append(restore)
        controls.append(freshness("dr_exercise", "Last DR exercise", e.drExercise, t.drExercise))
        controls.append(freshness("offsite_copy", "Last offsite copy", e.offsiteCopy, t.offsiteCopy))

        if let verification = e.chainVerification {
            let a = max(0, now.secondsSinceEpoch - verification.at.secondsSinceEpoch)
            let status: ControlStatus = !verification.intact ? .violation : (a > t.chainVerification ? .warning : .ok)
            controls.append(ComplianceControl(id: "audit_chain", title: "Audit chain verified intact", status: status,
                                              thresholdSeconds: t.chainVerification, ageSeconds: a, evidence: nil,
                                              detail: !verification.intact ? "the last verification found problems" + (e.chainProblem.map { " (\($0))" } ?? "")
                                                  : (a > t.chainVerification ? "the last verification is old" : "intact")))
        } else {
            controls.append(ComplianceControl(id: "audit_chain", title: "Audit chain verified intact", status: .unknown,
                                              thresholdSeconds: t.chainVerification, ageSeconds: nil, evidence: nil,
                                              detail: "the chain has never been verified"))
        }

        // No packages is no evidence: unknown, like every other control without evidence. A
        // package whose stored version failed its check (deleted, unlocked, shortened) is a
        // violation that names it, whatever the table says of its lock.
        let exports = e.exports
        let exportStatus: ControlStatus = exports.total == 0 ? .unknown
            : exports.unlocked > 0 || exports.failedVerificationCount > 0 ? .violation : (exports.expiringWithin90Days > 0 ? .warning : .ok)
        var exportDetail = exports.total == 0 ? "no export packages yet"
            : "\(exports.locked) of \(exports.total) locked, \(exports.unlocked) unlocked or short"
        if exports.failedVerificationCount > 0 {
            let named = exports.failedVerifications.map { "\($0.object): \($0.problem)" }.joined(separator: "; ")
            let more = exports.failedVerificationCount - exports.failedVerifications.count
            exportDetail += "; \(exports.failedVerificationCount) failed verification in the WORM store: \(named)" + (more > 0 ? " (and \(more) more)" : "")
        }
        controls.append(ComplianceControl(
            id: "export_locks", title: "Export packages locked (COMPLIANCE) until their legal date", status: exportStatus,
            thresholdSeconds: nil, ageSeconds: nil, evidence: nil, detail: exportDetail))
        self.controls = controls
    }
}
