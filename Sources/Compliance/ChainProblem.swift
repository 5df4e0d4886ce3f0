/// One finding of a chain verification, at a sequence number.
public struct ChainProblem: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong (docs/audit-chain.md §6).
    public enum Kind: String, Sendable, Codable {
        case badGenesis = "bad genesis"
        case gapInSeq = "gap in seq"
        case brokenLink = "broken link"
        case hashMismatch = "hash mismatch"
        /// A timestamp earlier than its predecessor's: a warning only (clock steps happen).
        case timeWentBackwards = "time went backwards"
    }

    public let seq: Int64
    public let kind: Kind

    public init(seq: Int64, kind: Kind) {
        self.seq = seq
        self.kind = kind
    }

    /// Warnings do not make a chain invalid.
    public var isWarning: Bool { kind == .timeWentBackwards }

    public var description: String { "seq \(seq): \(kind.rawValue)" }
}
