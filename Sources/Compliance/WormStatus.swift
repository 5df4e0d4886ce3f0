import Chronology

/// What the dashboard needs to judge the backup strategy: the newest success and the newest
/// outcome of each kind of event, the WAL archiver's state, the audit-chain verification and
/// the export packages' lock counts. Gathered in one query by the store; judged here (pure).
public struct ComplianceEvidence: Sendable, Equatable {
    /// Newest succeeded (or completed_with_errors) event and newest outcome of one type.
    public struct Latest: Sendable, Equatable {
        public var lastSuccess: ControlEvidence?
        public var lastOutcome: (evidence: ControlEvidence, status: BackupEventStatus)?

        public init(lastSuccess: ControlEvidence? = nil, lastOutcome: (evidence: ControlEvidence, status: BackupEventStatus)? = nil) {
            self.lastSuccess = lastSuccess
            self.lastOutcome = lastOutcome
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.lastSuccess == b.lastSuccess && a.lastOutcome?.evidence == b.lastOutcome?.evidence
                && a.lastOutcome?.status == b.lastOutcome?.status
        }
    }

    /// `pg_stat_archiver` of the database (nil when it could not be read).
    public struct Archiver: Sendable, Equatable {
        public var archivingEnabled: Bool
        /// Seconds since the last successful archive while WAL is waiting; 0 when nothing waits.
        public var lagSeconds: Int64
        /// A failure newer than the last success.
        public var failingNow: Bool

        public init(archivingEnabled: Bool, lagSeconds: Int64, failingNow: Bool) {
            self.archivingEnabled = archivingEnabled
            self.lagSeconds = lagSeconds
            self.failingNow = failingNow
        }
    }

    public struct Exports: Sendable, Equatable {
        public var total = 0
        /// COMPLIANCE mode with retain-until not before the legal date.
        public var locked = 0
        /// No lock, GOVERNANCE mode, or retain-until before the legal date.
        public var unlocked = 0
        public var expiringWithin90Days = 0
        public var legalHold = 0

        public init() {}
    }

    public var fullBackup = Latest()
    public var diffBackup = Latest()
    public var restoreTest = Latest()
    public var drExercise = Latest()
    public var offsiteCopy = Latest()
    public var archiver: Archiver?
    /// Newest chain verification: when, and whether intact (nil if never verified).
    public var chainVerification: (at: Timestamp, intact: Bool)?
    public var exports = Exports()

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.fullBackup == b.fullBackup && a.diffBackup == b.diffBackup && a.restoreTest == b.restoreTest
            && a.drExercise == b.drExercise && a.offsiteCopy == b.offsiteCopy && a.archiver == b.archiver
            && a.chainVerification?.at == b.chainVerification?.at && a.chainVerification?.intact == b.chainVerification?.intact
            && a.exports == b.exports
    }
}

/// The maximum ages of the controls (the seed's schedule and RPO), configurable.
public struct ControlThresholds: Sendable, Equatable {
    public var fullBackup: Int64 = 24 * 3600
    /// Hourly diffs plus a grace for their run time.
    public var diffBackup: Int64 = 3600 + 15 * 60
    /// RPO: 1 hour of WAL may be lost at most.
    public var walArchiveLag: Int64 = 3600
    public var restoreTest: Int64 = 7 * 86_400
    public var drExercise: Int64 = 31 * 86_400
    public var offsiteCopy: Int64 = 31 * 86_400
    public var chainVerification: Int64 = 7 * 86_400

    public init() {}
}

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
            if !archiver.archivingEnabled {
                (status, detail) = (.violation, "WAL archiving is off (archive_mode)")
            } else if archiver.lagSeconds > t.walArchiveLag {
                (status, detail) = (.violation, "WAL has waited longer than the RPO")
            } else if archiver.failingNow {
                (status, detail) = (.warning, "the last archive attempt failed")
            } else {
                (status, detail) = (.ok, "within the RPO")
            }
            controls.append(ComplianceControl(id: "wal_archive_lag", title: "WAL archive lag", status: status,
                                              thresholdSeconds: t.walArchiveLag, ageSeconds: archiver.lagSeconds,
                                              evidence: nil, detail: detail))
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
                                              detail: !verification.intact ? "the last verification found problems"
                                                  : (a > t.chainVerification ? "the last verification is old" : "intact")))
        } else {
            controls.append(ComplianceControl(id: "audit_chain", title: "Audit chain verified intact", status: .unknown,
                                              thresholdSeconds: t.chainVerification, ageSeconds: nil, evidence: nil,
                                              detail: "the chain has never been verified"))
        }

        let exportStatus: ControlStatus = e.exports.unlocked > 0 ? .violation : (e.exports.expiringWithin90Days > 0 ? .warning : .ok)
        controls.append(ComplianceControl(
            id: "export_locks", title: "Export packages locked (COMPLIANCE) until their legal date", status: exportStatus,
            thresholdSeconds: nil, ageSeconds: nil, evidence: nil,
            detail: e.exports.total == 0 ? "no export packages yet"
                : "\(e.exports.locked) of \(e.exports.total) locked, \(e.exports.unlocked) unlocked or short"))
        self.controls = controls
    }
}
