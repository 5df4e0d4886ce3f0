import Chronology

/// One immutable row of `backup_audit`.
public struct BackupEvent: Sendable, Equatable {
    public var seq: Int64
    /// `uuid::text`, lowercase.
    public var eventID: String
    public var runID: String?
    public var type: BackupEventType
    public var status: BackupEventStatus
    public var occurredAt: Timestamp
    public var recordedAt: Timestamp
    public var stanza: String?
    public var repo: Int?
    public var label: String?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var sizeBytes: Int64?
    public var deltaBytes: Int64?
    public var repoSizeBytes: Int64?
    public var repoDeltaBytes: Int64?
    public var walStart: String?
    public var walStop: String?
    public var lsnStart: String?
    public var lsnStop: String?
    public var exitCode: Int?
    public var errorMessage: String?
    public var host: String?
    /// A JSON object as stored text.
    public var details: String
    public var idempotencyKey: String?
    public var requestSHA256: [UInt8]?
    public var prevHash: [UInt8]
    public var hash: [UInt8]

    public init(seq: Int64, eventID: String, runID: String? = nil, type: BackupEventType, status: BackupEventStatus,
                occurredAt: Timestamp, recordedAt: Timestamp, stanza: String? = nil, repo: Int? = nil,
                label: String? = nil, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil,
                sizeBytes: Int64? = nil, deltaBytes: Int64? = nil, repoSizeBytes: Int64? = nil,
                repoDeltaBytes: Int64? = nil, walStart: String? = nil, walStop: String? = nil,
                lsnStart: String? = nil, lsnStop: String? = nil, exitCode: Int? = nil,
                errorMessage: String? = nil, host: String? = nil, details: String = "{}",
                idempotencyKey: String? = nil, requestSHA256: [UInt8]? = nil,
                prevHash: [UInt8] = AuditChain.genesis, hash: [UInt8] = []) {
        self.seq = seq
        self.eventID = eventID
        self.runID = runID
        self.type = type
        self.status = status
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.stanza = stanza
        self.repo = repo
        self.label = label
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.sizeBytes = sizeBytes
        self.deltaBytes = deltaBytes
        self.repoSizeBytes = repoSizeBytes
        self.repoDeltaBytes = repoDeltaBytes
        self.walStart = walStart
        self.walStop = walStop
        self.lsnStart = lsnStart
        self.lsnStop = lsnStop
        self.exitCode = exitCode
        self.errorMessage = errorMessage
        self.host = host
        self.details = details
        self.idempotencyKey = idempotencyKey
        self.requestSHA256 = requestSHA256
        self.prevHash = prevHash
        self.hash = hash
    }
}
