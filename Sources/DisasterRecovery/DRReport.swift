import Chronology
import Compliance
import Crypto
import JCS
import ComplianceStore
import WormMonitor

/// What `dr check` found in a restored database, as JSON (for tools and the DR exercise's
/// webhook) and Markdown (for the ops team's report): the verdict, every finding, the counts
/// beside what the backup held, each chain, the ledger reconciliation and the schema.
public struct DRReport: Sendable {
    public var database: String
    public var checkedAt: Timestamp
    public var findings: [DRFinding]
    public var found: DatabaseFingerprint
    public var expected: DatabaseFingerprint?
    /// Where `expected` came from: "recorded with backup <label>", "file <path>", or nil.
    public var expectedSource: String?
    public var chains: [ChainVerificationResult]
    public var reconciliation: LedgerReconciliationSummary
    public var latestMigration: Int

    public var ok: Bool { findings.isEmpty }

    public init(database: String, checkedAt: Timestamp, findings: [DRFinding], found: DatabaseFingerprint, expected: DatabaseFingerprint?,
                expectedSource: String?, chains: [ChainVerificationResult], reconciliation: LedgerReconciliationSummary, latestMigration: Int) {
        self.database = database
        self.checkedAt = checkedAt
        self.findings = findings
        self.found = found
        self.expected = expected
        self.expectedSource = expectedSource
        self.chains = chains
        self.reconciliation = reconciliation
        self.latestMigration = latestMigration
    }

    public var json: CanonicalJSON {
        .object([
            "database": .string(database), "checked_at": .string(checkedAt.rfc3339), "ok": .bool(ok),
            "findings": .array(findings.map { .object(["check": .string($0.check.rawValue), "message": .string($0.message)]) }),
            "counts": .object(found.counts.mapValues { .integer($0) }),
            "expected": expected.map { e in .object(["source": .string(expectedSource ?? ""), "fingerprint": e.json]) } ?? .null,
            "chains": .array(chains.map { c in
                .object(["chain": .string(c.chain), "organization_id": c.organizationID.map(CanonicalJSON.string) ?? .null,
                         "entries": .integer(c.entries), "head_seq": .integer(c.headSeq), "ok": .bool(c.ok),
                         "problems": .integer(Int64(c.problemCount - c.warningCount)), "explained": .integer(Int64(c.explainedCount)),
                         "first_problem": c.firstProblem.map { .string($0.description) } ?? .null])
            }),
            "reconciliation": .object(["invoices": .integer(reconciliation.invoices), "ledger_entries": .integer(reconciliation.ledgerEntries),
                                       "mismatches": .integer(reconciliation.mismatches),
                                       "tenants_with_open_balance": .integer(reconciliation.tenantsWithOpenBalance),
                                       "open_balance": .string(reconciliation.openBalance)]),
            "schema": .object(["migration": .integer(Int64(found.migration)), "expected": .integer(Int64(latestMigration))]),
        ])
    }

    public var markdown: String {
        var md = "# Restore check: \(ok ? "passed" : "FAILED")\n\n"
        md += "- database: `\(database)`\n- checked at: \(checkedAt.rfc3339)\n"
        md += "- compared with: \(expectedSource ?? "nothing recorded (counts are reported, not judged)")\n\n"
        if !findings.isEmpty {
            md += "## Findings\n\n" + findings.map { "- **\($0.check.rawValue)**: \($0.message)\n" }.joined() + "\n"
        }
        md += "## Rows\n\n| table | restored | the backup held at least |\n|---|---:|---:|\n"
        for t in DatabaseFingerprint.tables {
            md += "| \(t) | \(found.counts[t] ?? 0) | \(expected.map { String($0.counts[t] ?? 0) } ?? "–") |\n"
        }
        md += "\n## Audit chains\n\n| chain | entries | head | verdict |\n|---|---:|---:|---|\n"
        for c in chains {
            let verdict = c.ok ? (c.explainedCount > 0 ? "intact (\(c.explainedCount) explained by the restore)" : "intact")
                : "\(c.problemCount - c.warningCount) problems, first: \(c.firstProblem?.description ?? "?")"
            md += "| \(c.name) | \(c.entries) | \(c.headSeq) | \(verdict) |\n"
        }
        md += "\n## Ledger reconciliation\n\n\(reconciliation.invoices) invoices, \(reconciliation.ledgerEntries) ledger entries: "
        md += reconciliation.mismatches == 0 ? "every invoice's charges equal its gross amount and its payments agree with its status.\n"
            : "\(reconciliation.mismatches) invoices do not reconcile.\n"
        md += "\(reconciliation.tenantsWithOpenBalance) tenants have an open balance, \(reconciliation.openBalance) in total (information, not a finding).\n"
        md += "\n## Schema\n\nmigration \(found.migration) (this build's newest: \(latestMigration))\n"
        return md
    }
}

/// The reconciliation's figures as the report carries them.
public typealias LedgerReconciliationSummary = LedgerReconciliation.Summary
