import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import DisasterRecovery
import Foundation
import JCS
import Migrations
import Postgres
import Testing

/// `dr check` on real databases: a sound one passes against its own fingerprint and against the
/// one recorded with a backup's started event; lost rows, a tampered audit entry and a ledger that
/// no longer matches its invoices are each found; the report says so in JSON and Markdown. And the
/// real program: exit 0, 2, 1 and the report files.
@Suite(.serialized) struct RestoreCheckTests {
    static let now = Timestamp(year: 2026, month: 11, day: 30, hour: 12)!

    static func database(_ label: String) async throws -> (TestDatabase, ConnectionPool) {
        let database = try await TestEnvironment.shared.database(label)
        let pool = database.pool(size: 3)
        let generator = DemoDataGenerator(.init(organizations: 2, months: 3, auditLogs: 600, days: 5, seed: 4, tenantsPerOrganization: 5, now: now))
        _ = try await DemoDataLoader(generator: generator).load(into: pool)
        return (database, pool)
    }

    static func check(_ pool: ConnectionPool, expected: (DatabaseFingerprint, String)? = nil) async throws -> DRReport {
        let latest = try MigrationCatalog.load(directory: TestEnvironment.migrationsDirectory).files.last?.version ?? 0
        return try await RestoreCheck(pool: pool, store: nil, keys: [], latestMigration: latest).run(database: "test", expected: expected, restore: nil, now: now)
    }

    static func fingerprint(_ pool: ConnectionPool) async throws -> DatabaseFingerprint {
        try await pool.withTransaction(.repeatableRead) { try await FingerprintStore().take(on: $0) }
    }

    @Test("a sound database passes against its own fingerprint, and against the newest one recorded with a backup's started event")
    func sound() async throws {
        let (_, pool) = try await Self.database("dr-sound")
        let before = try await Self.fingerprint(pool)
        let report = try await Self.check(pool, expected: (before, "test"))
        #expect(report.ok, "\(report.findings)")
        #expect(report.found.counts["audit_logs"] == 600 && report.chains.count == 3 && report.reconciliation.mismatches == 0)
        #expect(report.markdown.hasPrefix("# Restore check: passed") && report.json.text.contains(#""ok":true"#))
        // Recorded as the wrapper does: in a backup's started event.
        _ = try await pool.withConnection { c in
            try await BackupAuditStore().append(NewBackupEvent(type: .backupFull, status: .started, occurredAt: Timestamp(Date()),
                                                               details: CanonicalJSON.object(["fingerprint": before.json]).text), on: c)
        }
        let recorded = try await Self.check(pool)
        #expect(recorded.ok && recorded.expected == before && (recorded.expectedSource ?? "").contains("recorded"), "\(recorded.findings)")
        await pool.close()
    }

    @Test("lost rows, a tampered audit entry, a ledger that no longer matches its invoices: each found, the report failed")
    func damaged() async throws {
        let (_, pool) = try await Self.database("dr-damaged")
        let before = try await Self.fingerprint(pool)
        try await pool.withConnection { c in
            try await c.executeScript("""
                SET session_replication_role = replica;
                DELETE FROM ledger_entries WHERE id = (SELECT id FROM ledger_entries WHERE entry_type = 'charge' ORDER BY id LIMIT 1);
                UPDATE audit_logs SET actor = 'user:999' WHERE seq = 17 AND organization_id = (SELECT min(organization_id::text)::uuid FROM audit_logs);
                SET session_replication_role = origin;
                """)
        }
        let report = try await Self.check(pool, expected: (before, "test"))
        #expect(!report.ok)
        #expect(report.findings.contains { $0.check == .counts && $0.message.hasPrefix("ledger_entries:") }, "\(report.findings)")
        #expect(report.findings.contains { $0.check == .auditChain && $0.message.contains("first: seq 17") }, "\(report.findings)")
        #expect(report.findings.contains { $0.check == .reconciliation }, "\(report.findings)")
        #expect(report.reconciliation.mismatches == 1 && report.markdown.hasPrefix("# Restore check: FAILED"))
        await pool.close()
    }

    @Test("the real program: exit 0 with the report files, 2 for a damaged database, 1 when the database cannot be reached, 64 for a bad fingerprint file")
    func command() async throws {
        let (database, pool) = try await Self.database("dr-command")
        let directory = NSTemporaryDirectory() + "dr-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fingerprint = try await TestBinary.run(["dr", "fingerprint"], environment: ["DATABASE_URL": database.url])
        #expect(fingerprint.status == 0, "\(fingerprint.stderr)")
        try fingerprint.stdout.write(toFile: directory + "/f.json", atomically: true, encoding: .utf8)
        let good = try await TestBinary.run(["dr", "check", "--expect", directory + "/f.json", "--report-dir", directory + "/report"],
                                            environment: ["DATABASE_URL": database.url])
        #expect(good.status == 0 && good.stdout.hasPrefix("# Restore check: passed"), "\(good.stdout)\(good.stderr)")
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/report/report.json"))))
        #expect(json["ok"] == .bool(true) && FileManager.default.fileExists(atPath: directory + "/report/report.md"))
        _ = try await pool.execute("UPDATE monthly_invoices SET gross_amount = gross_amount + 1, net_amount = net_amount + 1 WHERE id = (SELECT min(id::text)::uuid FROM monthly_invoices)")
        let bad = try await TestBinary.run(["dr", "check", "--json"], environment: ["DATABASE_URL": database.url])
        #expect(bad.status == 2 && bad.stdout.contains(#""check":"reconciliation""#), "\(bad.stdout)\(bad.stderr)")
        let down = try await TestBinary.run(["dr", "check", "--connect-timeout", "2"], environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"])
        #expect(down.status == 1 && down.stderr.contains("dr check"), "\(down.stderr)")
        try "{}".write(toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
        let usage = try await TestBinary.run(["dr", "check", "--expect", directory + "/bad.json"], environment: ["DATABASE_URL": database.url])
        #expect(usage.status == 64, "\(usage.stderr)")
        await pool.close()
    }
}
