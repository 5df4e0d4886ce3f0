import Chronology
import Compliance
import JCS
import Testing

/// A restored database against the fingerprint of its backup: at least the rows, the same chain
/// history to the recorded heads, the same or a later schema.
@Suite struct FingerprintComparisonTests {
    static let hash = [UInt8](repeating: 7, count: 32)
    static let fingerprint = DatabaseFingerprint(takenAt: Timestamp(year: 2026, month: 12, day: 1)!,
                                                 counts: ["organizations": 2, "tenants": 10, "monthly_invoices": 40, "ledger_entries": 70, "audit_logs": 500],
                                                 auditHeads: ["org-a": (300, hash), "org-b": (200, hash)], backupAuditHead: 90, migration: 8)

    @Test("the same database, or one restored to a later point, passes")
    func passes() {
        #expect(FingerprintComparison.findings(expected: Self.fingerprint, found: Self.fingerprint) { _, _ in Self.hash }.isEmpty)
        var later = Self.fingerprint
        later.counts["audit_logs"] = 900
        later.auditHeads["org-a"] = (700, [UInt8](repeating: 1, count: 32))
        later.backupAuditHead = 120
        #expect(FingerprintComparison.findings(expected: Self.fingerprint, found: later) { _, _ in Self.hash }.isEmpty)
    }

    @Test("fewer rows, a shorter chain, another history, an older schema: each a finding")
    func findings() {
        var lost = Self.fingerprint
        lost.counts["ledger_entries"] = 69
        lost.auditHeads["org-b"] = (150, Self.hash)
        lost.backupAuditHead = 80
        lost.migration = 7
        let found = FingerprintComparison.findings(expected: Self.fingerprint, found: lost) { org, _ in org == "org-a" ? [UInt8](repeating: 0, count: 32) : Self.hash }
        #expect(found.contains { $0.check == .counts && $0.message.hasPrefix("ledger_entries: 69 rows") })
        #expect(found.contains { $0.message.contains("org-b: the audit chain ends at seq 150") })
        #expect(found.contains { $0.check == .auditChain && $0.message.contains("org-a") })
        #expect(found.contains { $0.message.hasPrefix("backup_audit ends at seq 80") })
        #expect(found.contains { $0.check == .schema })
    }

    @Test("the fingerprint reads back from its JSON")
    func json() throws {
        let text = Self.fingerprint.json.text
        let parsed = try #require(DatabaseFingerprint(json: try JSONParser.parse(Array(text.utf8))))
        #expect(parsed == Self.fingerprint)
        #expect(DatabaseFingerprint(json: try JSONParser.parse(Array(#"{"counts":{}}"#.utf8))) == nil)
    }
}
