import Chronology
import Crypto

/// Verifies one organization's chain from its rows in `seq` order, in constant memory
/// (docs/audit-chain.md §6). Every condition of every row is reported, not only the first, with
/// what was expected and found. Problems are kept until taken (`takeProblems`), so a caller
/// streaming millions of rows can write them out as they come; `problemCount` counts them all.
/// The hashes at `capturing` seqs (the checkpoints' seqs) are kept for `CheckpointCheck`.
public struct AuditChainVerifier: Sendable {
    public private(set) var problems: [ChainProblem] = []
    public private(set) var problemCount = 0
    public private(set) var warningCount = 0
    /// Findings a recorded event accounts for (counted among the warnings).
    public private(set) var explainedCount = 0
    public private(set) var entries: Int64 = 0
    /// The first problem that is not a warning.
    public private(set) var firstProblem: ChainProblem?
    /// The chain's hash at each wanted seq it reached.
    public private(set) var capturedHashes: [Int64: [UInt8]] = [:]
    private let capturing: Set<Int64>
    private var expectedSeq: Int64
    private var previousHash: [UInt8]
    private var previousTime: Timestamp?
    private var scratch: [UInt8] = []

    /// Starts at the genesis, or — for a partial range — at `firstSeq` with the hash of the row
    /// before it (which must itself be anchored by a checkpoint or an earlier export).
    public init(firstSeq: Int64 = 1, previousHash: [UInt8] = AuditChain.genesis, capturing: Set<Int64> = []) {
        expectedSeq = firstSeq
        self.previousHash = previousHash
        self.capturing = capturing
        scratch.reserveCapacity(1024)
    }

    /// Checks the next row.
    public mutating func consume(_ entry: AuditEntry) {
        let computed = AuditChain.hash(of: entry, previousHash: previousHash)
        entry.prevHash.withUnsafeBytes { prev in
            entry.hash.withUnsafeBytes { hash in
                check(seq: entry.seq, occurredAt: entry.occurredAt, prevHash: prev, hash: hash, computed: computed)
            }
        }
    }

    /// Checks the next row, given as the bytes the database delivered.
    public mutating func consume(_ row: AuditRowBytes) {
        AuditChain.preimage(of: row, previousHash: previousHash, into: &scratch)
        let computed = SHA256.hash(scratch)
        check(seq: row.seq, occurredAt: row.occurredAt, prevHash: row.prevHash, hash: row.hash, computed: computed)
    }

    /// Checks the next row of another chain of the same shape (`backup_audit`): `hashAgainst`
    /// computes the row's hash chained to the hash it is given (the previous row's).
    public mutating func consume(seq: Int64, time: Timestamp, prevHash: [UInt8], hash: [UInt8], hashAgainst: ([UInt8]) -> [UInt8]) {
        let computed = hashAgainst(previousHash)
        prevHash.withUnsafeBytes { prev in
            hash.withUnsafeBytes { check(seq: seq, occurredAt: time, prevHash: prev, hash: $0, computed: computed) }
        }
    }

    private mutating func check(seq: Int64, occurredAt: Timestamp, prevHash: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer,
                                computed: [UInt8]) {
        let atGenesis = entries == 0 && expectedSeq == 1
        if atGenesis && (seq != 1 || !prevHash.elementsEqual(AuditChain.genesis)) {
            record(ChainProblem(seq: seq, kind: .badGenesis, expected: "seq 1, prev_hash \(Hex.encode(AuditChain.genesis))",
                                found: "seq \(seq), prev_hash \(Hex.encode(prevHash))"))
        } else if seq != expectedSeq {
            record(ChainProblem(seq: seq, kind: .gapInSeq, expected: String(expectedSeq), found: String(seq)))
        }
        if !atGenesis && !prevHash.elementsEqual(previousHash) {
            record(ChainProblem(seq: seq, kind: .brokenLink, expected: Hex.encode(previousHash), found: Hex.encode(prevHash)))
        }
        if !hash.elementsEqual(computed) {
            record(ChainProblem(seq: seq, kind: .hashMismatch, expected: Hex.encode(computed), found: Hex.encode(hash)))
        }
        if let previousTime, occurredAt < previousTime {
            record(ChainProblem(seq: seq, kind: .timeWentBackwards, expected: "not before \(previousTime.rfc3339)", found: occurredAt.rfc3339))
        }
        previousTime = occurredAt
        // The next row links to the hash this row carries (a mismatch was reported above; the
        // row after it is judged against what it actually follows).
        if hash.count == 32 {
            previousHash.withUnsafeMutableBytes { $0.copyMemory(from: hash) }
        } else {
            previousHash = Array(hash)
        }
        if capturing.contains(seq) { capturedHashes[seq] = previousHash }
        expectedSeq = seq &+ 1
        entries += 1
    }

    /// Adds a finding made outside the rows (the head table, checkpoints).
    public mutating func record(_ problem: ChainProblem) {
        problems.append(problem)
        problemCount += 1
        if problem.explanation != nil { explainedCount += 1 }
        if problem.isWarning {
            warningCount += 1
        } else if firstProblem == nil {
            firstProblem = problem
        }
    }

    /// The problems found since the last call (they stay counted).
    public mutating func takeProblems() -> [ChainProblem] {
        defer { problems.removeAll(keepingCapacity: true) }
        return problems
    }

    /// The head reached so far: the last seq and hash.
    public var head: (seq: Int64, hash: [UInt8]) { (expectedSeq - 1, previousHash) }

    /// True when no problem other than warnings (and explained findings) was found.
    public var isIntact: Bool { problemCount == warningCount }
}
