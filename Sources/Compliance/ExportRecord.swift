import Chronology

/// One export package as `export_packages` records it: the request, where it stands
/// (`queued`, `running`, `succeeded`, `failed` with the reason), and once built its bytes,
/// rows per data file, chain segment, file and lock.
public struct ExportRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case queued, running, succeeded, failed }

    public var id: String
    public var organizationID: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var profile: String
    public var state: State
    public var worm: Bool
    public var requestedBy: String?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var error: String?
    /// Rows per data file, by table name.
    public var rows: [String: Int64]
    public var sha256: [UInt8]?
    public var size: Int64?
    public var fileName: String?
    public var localPath: String?
    public var storageKey: String?
    public var versionID: String?
    public var lockMode: String?
    public var retainUntil: Timestamp?
    public var legalHold: Bool
    public var chainFirstSeq: Int64?
    public var chainLastSeq: Int64?
    public var chainHead: [UInt8]?
    public var lastVerifiedAt: Timestamp?
    public var lastVerificationOK: Bool?
    public var lastVerificationProblem: String?

    public init(id: String, organizationID: String, from: CalendarDate, to: CalendarDate, profile: String, state: State, worm: Bool,
                createdAt: Timestamp) {
        self.id = id
        self.organizationID = organizationID
        self.from = from
        self.to = to
        self.profile = profile
        self.state = state
        self.worm = worm
        self.createdAt = createdAt
        rows = [:]
        legalHold = false
    }
}
