import Chronology

/// What is known of one chain for dashboards and metrics: its head, its newest verification and
/// its newest checkpoint (`GET /api/compliance/audit-chain`). `organizationID` nil: the global
/// `backup_audit` chain.
public struct AuditChainStatus: Sendable, Equatable {
    public struct Verification: Sendable, Equatable {
        public var at: Timestamp
        public var ok: Bool
        public var entries: Int64
        public var problemCount: Int64
        public var firstProblem: String?

        public init(at: Timestamp, ok: Bool, entries: Int64, problemCount: Int64, firstProblem: String?) {
            self.at = at
            self.ok = ok
            self.entries = entries
            self.problemCount = problemCount
            self.firstProblem = firstProblem
        }
    }

    public struct Checkpoint: Sendable, Equatable {
        public var seq: Int64
        public var createdAt: Timestamp
        public var keyID: String
        public var storageKey: String?
        public var versionID: String?

        public init(seq: Int64, createdAt: Timestamp, keyID: String, storageKey: String?, versionID: String?) {
            self.seq = seq
            self.createdAt = createdAt
            self.keyID = keyID
            self.storageKey = storageKey
            self.versionID = versionID
        }
    }

    public var organizationID: String?
    public var headSeq: Int64?
    public var headHash: [UInt8]?
    public var lastVerification: Verification?
    public var lastCheckpoint: Checkpoint?

    public init(organizationID: String?, headSeq: Int64?, headHash: [UInt8]?, lastVerification: Verification?, lastCheckpoint: Checkpoint?) {
        self.organizationID = organizationID
        self.headSeq = headSeq
        self.headHash = headHash
        self.lastVerification = lastVerification
        self.lastCheckpoint = lastCheckpoint
    }
}
