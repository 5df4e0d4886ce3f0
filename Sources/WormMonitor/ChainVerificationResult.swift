import Compliance
import Crypto

/// What verifying one chain found: an organization's `audit_logs` chain or (organization nil)
/// the global `backup_audit` chain. The problems themselves went to the caller as they were
/// found; this keeps their counts, the first one, and the first 100 for the record.
public struct ChainVerificationResult: Sendable {
    public static let keptProblems = 100

    public var chain: String
    public var organizationID: String?
    public var entries: Int64
    public var headSeq: Int64
    public var headHash: [UInt8]
    public var problemCount: Int
    public var explainedCount: Int
    public var warningCount: Int
    public var firstProblem: ChainProblem?
    public var keptProblems: [ChainProblem]
    public var checkpointsChecked: Int

    /// No problem but warnings and explained findings.
    public var ok: Bool { problemCount == warningCount }

    /// `organization <id>` or `backup_audit`: how the summary line names the chain.
    public var name: String { organizationID.map { "organization \($0)" } ?? "backup_audit" }

    /// The one-line summary (stderr).
    public var summary: String {
        var text = "\(name): \(entries) entries, head seq \(headSeq)"
        text += ok ? ", intact" : ", \(problemCount - warningCount) problem\(problemCount - warningCount == 1 ? "" : "s")"
        if explainedCount > 0 { text += ", \(explainedCount) explained" }
        if checkpointsChecked > 0 { text += ", \(checkpointsChecked) checkpoint\(checkpointsChecked == 1 ? "" : "s") checked" }
        if let firstProblem, !ok { text += "; first: \(firstProblem)" }
        return text
    }

    init(chain: String, organizationID: String?, verifier: AuditChainVerifier, kept: [ChainProblem], checkpointsChecked: Int) {
        self.chain = chain
        self.organizationID = organizationID
        entries = verifier.entries
        headSeq = verifier.head.seq
        headHash = verifier.head.hash
        problemCount = verifier.problemCount
        warningCount = verifier.warningCount
        explainedCount = verifier.explainedCount
        firstProblem = verifier.firstProblem
        keptProblems = kept
        self.checkpointsChecked = checkpointsChecked
    }
}
