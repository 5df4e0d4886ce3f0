/// One finding of a chain verification, at a sequence number, with what was expected and what
/// was found (hashes in lowercase hex) where the kind has them.
public struct ChainProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong (docs/audit-chain.md §6).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case badGenesis = "bad genesis"
        case gapInSeq = "gap in seq"
        case brokenLink = "broken link"
        case hashMismatch = "hash mismatch"
        /// A timestamp earlier than its predecessor's: a warning only (clock steps happen).
        case timeWentBackwards = "time went backwards"
        /// The head table (`audit_chain_head`) disagrees with the chain's last row.
        case headTableMismatch = "head table mismatch"
        /// A checkpoint that cannot be trusted: bad or unknown signature, another organization's,
        /// its locked object missing, unlocked or different from the recorded one.
        case invalidCheckpoint = "invalid checkpoint"
        /// A signed checkpoint names a seq the chain no longer reaches: the tail was truncated,
        /// or the database was restored to an earlier point (then `explanation` says which).
        case checkpointBeyondHead = "checkpoint beyond head"
        /// The chain's hash at a checkpoint's seq is not the signed one: history was rewritten.
        case checkpointMismatch = "checkpoint mismatch"
    }

    public let seq: Int64
    public let kind: Kind
    public let expected: String?
    public let found: String?
    /// Which checkpoint, or what else is known of the finding.
    public let detail: String?
    /// A recorded event that accounts for the finding (a restore for "checkpoint beyond head").
    public let explanation: String?

    public init(seq: Int64, kind: Kind, expected: String? = nil, found: String? = nil, detail: String? = nil, explanation: String? = nil) {
        self.seq = seq
        self.kind = kind
        self.expected = expected
        self.found = found
        self.detail = detail
        self.explanation = explanation
    }

    /// Warnings and explained findings do not make a chain invalid.
    public var isWarning: Bool { kind == .timeWentBackwards || explanation != nil }

    /// Equal in kind and seq (what the tests and the record's first problem compare).
    public func matches(_ kind: Kind, at seq: Int64) -> Bool { self.kind == kind && self.seq == seq }

    public var description: String {
        var text = "seq \(seq): \(kind.rawValue)"
        if let expected, let found { text += " (expected \(expected), found \(found))" }
        if let detail { text += " — \(detail)" }
        if let explanation { text += " [explained: \(explanation)]" }
        return text
    }
}
