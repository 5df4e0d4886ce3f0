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
        /// WAL archived since the statistics were reset: `archived_count` × `wal_segment_size`.
        public var archivedBytes: Int64

        public init(archivingEnabled: Bool, lagSeconds: Int64, failingNow: Bool, archivedBytes: Int64 = 0) {
            self.archivingEnabled = archivingEnabled
            self.lagSeconds = lagSeconds
            self.failingNow = failingNow
            self.archivedBytes = archivedBytes
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
        /// Packages whose lock, read back from the WORM store by version, did not hold at the
        /// last check: the object and why (issue 14, item 6), at most a few named.
        public var failedVerifications: [FailedVerification] = []
        /// How many failed (the list may be cut short).
        public var failedVerificationCount = 0
        /// Packages whose stored version was checked at least once, and the latest check.
        public var verified = 0
        public var lastVerification: Timestamp?

        public init() {}

        /// One package whose stored version failed its check.
        public struct FailedVerification: Sendable, Equatable {
            public let object: String
            public let problem: String

            public init(object: String, problem: String) {
                self.object = object
                self.problem = problem
            }
        }
    }

    public var fullBackup = Latest()
    public var diffBackup = Latest()
    public var restoreTest = Latest()
    public var drExercise = Latest()
    public var offsiteCopy = Latest()
    /// `wal_archive` events recorded from pg_stat_archiver (failures and recoveries).
    public var walArchive = Latest()
    public var archiver: Archiver?
    /// Newest chain verification: when, and whether intact (nil if never verified).
    public var chainVerification: (at: Timestamp, intact: Bool)?
    /// The first problem of a failing chain (`<organization>: <problem>`), when one fails.
    public var chainProblem: String?
    public var exports = Exports()

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.fullBackup == b.fullBackup && a.diffBackup == b.diffBackup && a.restoreTest == b.restoreTest
            && a.drExercise == b.drExercise && a.offsiteCopy == b.offsiteCopy && a.walArchive == b.walArchive && a.archiver == b.archiver
            && a.chainVerification?.at == b.chainVerification?.at && a.chainVerification?.intact == b.chainVerification?.intact && a.chainProblem == b.chainProblem
            && a.exports == b.exports
    }
}
