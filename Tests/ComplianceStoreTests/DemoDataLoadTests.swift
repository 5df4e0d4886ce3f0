import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Postgres
import Testing

/// demo-data through the real binary: loads, reconciles, chains verify, and refuses bad input.
@Suite(.serialized) struct DemoDataLoadTests {
    @Test("demo-data loads a migrated database; ledger reconciles, chains verify, the rate is printed")
    func load() async throws {
        let db = try await TestEnvironment.shared.migratedDatabase("demo")
        let outcome = try await TestBinary.run(["demo-data", "--database-url", db.url, "--organizations", "3", "--months", "4",
                                          "--audit-logs", "3000", "--days", "10", "--now", "2026-11-26T15:00:00Z"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("rows/s through the chain trigger"))
        let pool = db.pool(size: 2)
        let counts = try await pool.query("""
            SELECT (SELECT count(*) FROM organizations) AS o, (SELECT count(*) FROM audit_logs) AS a,
                   (SELECT count(*) FROM backup_audit) AS b, (SELECT count(*) FROM monthly_invoices) AS i
            """).single()
        #expect(try counts.decode(Int.self, "o") == 3)
        #expect(try counts.decode(Int.self, "a") == 3000)
        #expect(try counts.decode(Int.self, "b") > 400)
        #expect(try counts.decode(Int.self, "i") == 3 * 4 * 24)
        // the seed's reconciliation query: only tenants with an unpaid invoice have a balance
        let unbalanced = try await pool.query("""
            SELECT tenant_id FROM ledger_entries GROUP BY tenant_id HAVING sum(amount) != 0
            EXCEPT SELECT tenant_id FROM monthly_invoices WHERE status <> 'paid'
            """)
        #expect(unbalanced.isEmpty)
        let orgs = try await pool.query("SELECT id FROM organizations").map { try $0.decode(UUID.self, "id") }
        for org in orgs {
            let verifier = try await AuditLogStore().verify(organization: org, pool: pool)
            #expect(verifier.problems.isEmpty && verifier.entries == 1000)
        }
        let events = try await pool.withConnection { try await BackupAuditStore().events(afterSeq: 0, limit: 100_000, on: $0) }
        var previous = AuditChain.genesis
        for event in events {
            #expect(BackupAuditChain.hash(of: event, previousHash: previous) == event.hash)
            previous = event.hash
        }
        // a second run refuses instead of duplicating
        let again = try await TestBinary.run(["demo-data", "--database-url", db.url])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has 3 organizations"))
        await pool.close()
    }

    @Test("bad flags and values: exit 64, one line", arguments: [
        ["demo-data", "--organizations", "0"], ["demo-data", "--months", "abc"], ["demo-data", "--now", "2026-11-26 15:00"],
        ["demo-data", "--seed", "-1"], ["demo-data", "--nonsense"],
    ])
    func badFlags(arguments: [String]) async throws {
        let outcome = try await TestBinary.run(arguments + ["--database-url", "postgresql://127.0.0.1:1/x"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(outcome.stderr.hasPrefix("immoflow-compliance: "))
    }

    @Test("an unmigrated database is a clear error, not a crash")
    func unmigrated() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("demo-unmigrated")
        let outcome = try await TestBinary.run(["demo-data", "--database-url", db.url])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("relation \"organizations\" does not exist"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }
}
