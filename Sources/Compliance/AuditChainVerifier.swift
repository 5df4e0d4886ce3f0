import Chronology
import Crypto

/// Verifies one organization's chain from its rows in `seq` order, in constant memory
/// (docs/audit-chain.md §6). Every condition of every row is reported, not only the first.
public struct AuditChainVerifier: Sendable {
    public private(set) var problems: [ChainProblem] = []
    public private(set) var entries: Int64 = 0
    private var expectedSeq: Int64
    private var previousHash: [UInt8]
    private var previousTime: Timestamp?

    /// Starts at the genesis, or — for a partial range — at `firstSeq` with the hash of the row
    /// before it (which must itself be anchored by a checkpoint or an earlier export).
    public init(firstSeq: Int64 = 1, previousHash: [UInt8] = AuditChain.genesis) {
        expectedSeq = firstSeq
        self.previousHash = previousHash
    }

    /// Checks the next row.
    public mutating func consume(_ entry: AuditEntry) {
        if entries == 0 && expectedSeq == 1 && (entry.seq != 1 || entry.prevHash != AuditChain.genesis) {
            problems.append(ChainProblem(seq: entry.seq, kind: .badGenesis))
        } else if entry.seq != expectedSeq {
            problems.append(ChainProblem(seq: entry.seq, kind: .gapInSeq))
        }
        if entry.prevHash != previousHash && !(entries == 0 && expectedSeq == 1) {
            problems.append(ChainProblem(seq: entry.seq, kind: .brokenLink))
        }
        if AuditChain.hash(of: entry, previousHash: previousHash) != entry.hash {
            problems.append(ChainProblem(seq: entry.seq, kind: .hashMismatch))
        }
        if let previousTime, entry.occurredAt < previousTime {
            problems.append(ChainProblem(seq: entry.seq, kind: .timeWentBackwards))
        }
        previousTime = entry.occurredAt
        previousHash = entry.hash
        expectedSeq = entry.seq + 1
        entries += 1
    }

    /// The head reached so far: the last seq and hash.
    public var head: (seq: Int64, hash: [UInt8]) { (expectedSeq - 1, previousHash) }

    /// True when no problem other than warnings was found.
    public var isIntact: Bool { problems.allSatisfy(\.isWarning) }
}
