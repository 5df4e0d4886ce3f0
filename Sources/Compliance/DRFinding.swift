/// One thing `dr check` found wrong with a restored database: which check, and what.
public struct DRFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Check: String, Sendable, CaseIterable {
        case counts, auditChain = "audit_chain", reconciliation, schema
    }

    public let check: Check
    public let message: String

    public init(_ check: Check, _ message: String) {
        self.check = check
        self.message = message
    }

    public var description: String { "\(check.rawValue): \(message)" }
}
