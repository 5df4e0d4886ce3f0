import Chronology

/// The status of one control of the WORM/compliance dashboard, and of the whole.
/// Severity order: ok < warning < unknown < violation (no evidence is worse than a late one,
/// better than a proven breach).
public enum ControlStatus: String, Sendable, Codable, Comparable, CaseIterable {
    case ok, warning, unknown, violation

    var severity: Int {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .unknown: return 2
        case .violation: return 3
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }

    /// The value of `compliance_control_status` (0 ok, 1 warning, 2 unknown, 3 violation).
    public var metricValue: Int { severity }
}

/// The evidence for a control: the event that proves it.
public struct ControlEvidence: Sendable, Equatable {
    public let eventID: String
    public let seq: Int64
    public let occurredAt: Timestamp

    public init(eventID: String, seq: Int64, occurredAt: Timestamp) {
        self.eventID = eventID
        self.seq = seq
        self.occurredAt = occurredAt
    }
}

/// One evaluated control.
public struct ComplianceControl: Sendable, Equatable {
    public let id: String
    public let title: String
    public let status: ControlStatus
    /// The maximum age allowed, in seconds (nil where the control is not about age).
    public let thresholdSeconds: Int64?
    /// The measured age, in seconds (nil without evidence).
    public let ageSeconds: Int64?
    public let evidence: ControlEvidence?
    public let detail: String

    public init(id: String, title: String, status: ControlStatus, thresholdSeconds: Int64?, ageSeconds: Int64?,
                evidence: ControlEvidence?, detail: String) {
        self.id = id
        self.title = title
        self.status = status
        self.thresholdSeconds = thresholdSeconds
        self.ageSeconds = ageSeconds
        self.evidence = evidence
        self.detail = detail
    }
}
