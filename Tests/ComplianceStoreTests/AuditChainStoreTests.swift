import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Foundation
import Postgres
import Testing

/// The audit chain as the database builds it, checked against the Swift recomputation
/// (docs/audit-chain.md §7 scenarios 1–4, 11, 13, 15, 17).
@Suite struct AuditChainStoreTests {
    let pool: ConnectionPool
    let store = AuditLogStore()

    init() async throws {
        pool = try await TestEnvironment.shared.database("chain").pool(size: 8)
    }

    /// A new organization, so tests sharing the database do not share chains.
    func organization() async throws -> UUID {
        let id = UUID()
        try await pool.execute("INSERT INTO organizations (id, name, country) VALUES (\(id), \("Prüf GmbH \(id)"), 'DE')")
        return id
    }

    @Test("8 writers x 250 rows over 2 organizations: two gap-free chains that verify, DB hash == Swift hash")
    func concurrentWriters() async throws {
        let orgs = [try await organization(), try await organization()]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for i in 0..<250 {
                        let org = orgs[(writer + i) % 2]
                        _ = try await pool.withConnection { c in
                            try await store.append(NewAuditEntry(actor: "writer:\(writer)", action: "insert", entity: "ledger_entries",
                                                                 entityID: "\(writer)-\(i)", payload: "{\"i\":\(i),\"w\":\(writer)}"),
                                                   organization: org, on: c)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        for org in orgs {
            let verifier = try await store.verify(organization: org, pageSize: 300, pool: pool)
            #expect(verifier.entries == 1000)
            #expect(verifier.problems.isEmpty)
            #expect(verifier.head.seq == 1000)
            let seqs = try await pool.query("SELECT min(seq) AS lo, max(seq) AS hi, count(DISTINCT seq) AS n FROM audit_logs WHERE organization_id = \(org)").single()
            #expect(try seqs.decode(Int.self, "lo") == 1 && seqs.decode(Int.self, "hi") == 1000 && seqs.decode(Int.self, "n") == 1000)
            // the SQL verification function agrees with the stored hashes, and the head is the last row
            let sql = try await pool.query("""
                SELECT count(*) FILTER (WHERE hash <> audit_entry_hash(prev_hash, organization_id, seq, occurred_at,
                                                                     actor, action, entity, entity_id, payload)) AS bad,
                       (SELECT last_seq FROM audit_chain_head WHERE organization_id = \(org)) AS head_seq,
                       (SELECT last_hash FROM audit_chain_head WHERE organization_id = \(org)) AS head_hash
                FROM audit_logs WHERE organization_id = \(org)
                """).single()
            #expect(try sql.decode(Int.self, "bad") == 0)
            #expect(try sql.decode(Int.self, "head_seq") == 1000)
            #expect(try sql.decode(PostgresBytes.self, "head_hash").bytes == verifier.head.hash)
        }
    }

    @Test("a rolled-back insert consumes no seq")
    func rollbackConsumesNothing() async throws {
        struct Abort: Error {}
        let org = try await organization()
        _ = try await pool.withConnection { try await store.append(NewAuditEntry(actor: "a", action: "b", entity: "c", payload: "{}"), organization: org, on: $0) }
        await #expect(throws: Abort.self) {
            try await pool.withTransaction { c in
                _ = try await store.append(NewAuditEntry(actor: "a", action: "rolled back", entity: "c", payload: "{}"), organization: org, on: c)
                throw Abort()
            }
        }
        let next = try await pool.withConnection { try await store.append(NewAuditEntry(actor: "a", action: "b", entity: "c", payload: "{}"), organization: org, on: $0) }
        #expect(next.seq == 2)
        #expect(try await store.verify(organization: org, pool: pool).problems.isEmpty)
    }

    @Test("client-supplied seq, time and hashes are overwritten by the trigger")
    func clientValuesIgnored() async throws {
        let org = try await organization()
        let row = try await pool.query("""
            INSERT INTO audit_logs (organization_id, seq, occurred_at, actor, action, entity, payload, prev_hash, hash)
            VALUES (\(org), 99, '2001-01-01', 'mallory', 'forge', 'x', '{}', \(PostgresBytes([UInt8](repeating: 7, count: 32))),
                    \(PostgresBytes([UInt8](repeating: 9, count: 32))))
            RETURNING seq, occurred_at, prev_hash, hash
            """).single()
        #expect(try row.decode(Int.self, "seq") == 1)
        #expect(try row.decode(PostgresBytes.self, "prev_hash").bytes == AuditChain.genesis)
        #expect(try row.decode(Timestamp.self, "occurred_at") > Timestamp(rfc3339: "2020-01-01T00:00:00Z")!)
        #expect(try await store.verify(organization: org, pool: pool).problems.isEmpty)
    }

    @Test("UPDATE, DELETE and TRUNCATE are refused even for the owner", arguments: [
        "UPDATE audit_logs SET actor = 'x'", "DELETE FROM audit_logs", "TRUNCATE audit_logs",
        "UPDATE backup_audit SET host = 'x'", "DELETE FROM backup_audit", "TRUNCATE backup_audit",
    ])
    func appendOnly(sql: String) async throws {
        let org = try await organization()
        _ = try await pool.withConnection { try await store.append(NewAuditEntry(actor: "a", action: "b", entity: "c", payload: "{}"), organization: org, on: $0) }
        _ = try await pool.withConnection { try await BackupAuditStore().append(NewBackupEvent(type: .check, status: .succeeded), on: $0) }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try await $0.executeScript(sql) }
        }
        #expect(error?.sqlState == "2F003")
        #expect(error?.message.contains("is append-only") == true)
    }

    @Test("the application role can only insert the writable columns and read", arguments: [
        ("UPDATE audit_logs SET actor = 'x'", "42501"),
        ("DELETE FROM audit_logs", "42501"),
        ("TRUNCATE audit_logs", "42501"),
        ("INSERT INTO audit_logs (organization_id, seq, actor, action, entity, payload) VALUES ('%ORG%', 5, 'a', 'b', 'c', '{}')", "42501"),
        ("UPDATE audit_chain_head SET last_seq = 0", "42501"),
        ("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_chain", "42501"),
        ("SET session_replication_role = replica", "42501"),
    ])
    func applicationRole(sql: String, state: String) async throws {
        let org = try await organization()
        let statement = sql.replacingOccurrences(of: "%ORG%", with: org.uuidString.lowercased())
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try await $0.executeScript("SET ROLE immoflow_app; \(statement)") }
        }
        #expect(error?.sqlState == state, "\(error?.message ?? "")")
        // and the allowed insert works through the SECURITY DEFINER trigger
        try await pool.withConnection { c in
            try await c.executeScript("SET ROLE immoflow_app")
            let entry = try await store.append(NewAuditEntry(actor: "app", action: "insert", entity: "x", payload: "{}"), organization: org, on: c)
            #expect(entry.seq >= 1)
            try await c.executeScript("RESET ROLE")
        }
    }

    @Test("a forged fork (a second row with the same prev_hash) is refused")
    func forkRefused() async throws {
        let org = try await organization()
        let first = try await pool.withConnection { try await store.append(NewAuditEntry(actor: "a", action: "b", entity: "c", payload: "{}"), organization: org, on: $0) }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { c in
                try await c.executeScript("SET session_replication_role = replica")
                try await c.execute("""
                    INSERT INTO audit_logs (organization_id, seq, occurred_at, actor, action, entity, payload, prev_hash, hash)
                    VALUES (\(org), 2, now(), 'm', 'fork', 'c', '{}', \(PostgresBytes(first.prevHash)), \(PostgresBytes(first.hash)))
                    """)
            }
        }
        #expect(error?.sqlState == "23505")
        try await pool.withConnection { try await $0.executeScript("SET session_replication_role = origin") }
    }

    @Test("unicode, quotes, emoji, backslashes and empty strings: DB hash == Swift hash, also under another TimeZone and DateStyle")
    func unicodeAndSessionSettings() async throws {
        let org = try await organization()
        let samples: [NewAuditEntry] = [
            NewAuditEntry(actor: "user:Jürgen Weiß", action: "update", entity: "tenants", entityID: "Top 3 – „A“",
                          payload: #"{"note":"Größe \"A\"; € 1.200,00 \\ backslash","emoji":"🏠🔑"}"#),
            NewAuditEntry(actor: "", action: "", entity: "", entityID: "", payload: "{}"),
            NewAuditEntry(actor: "ümlaut'quote", action: "a\"b", entity: "c;d", entityID: "ß", payload: "[]"),
            NewAuditEntry(actor: "Ju\u{308}rgen", action: "decomposed", entity: "x", payload: "null"),
        ]
        try await pool.withConnection { c in
            try await c.executeScript("SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'")
            for sample in samples {
                let stored = try await store.append(sample, organization: org, on: c)
                #expect(stored.hash == AuditChain.hash(of: stored, previousHash: stored.prevHash))
                #expect(stored.actor.utf8.elementsEqual(sample.actor.utf8))
            }
            try await c.executeScript("RESET TimeZone; RESET DateStyle")
        }
        let verifier = try await store.verify(organization: org, pool: pool)
        #expect(verifier.problems.isEmpty && verifier.entries == Int64(samples.count))
    }

    @Test("NULL in a hashed field and control characters are refused", arguments: [
        ("INSERT INTO audit_logs (organization_id, actor, action, entity, payload) VALUES ('%ORG%', NULL, 'a', 'b', '{}')", "23502"),
        ("INSERT INTO audit_logs (organization_id, actor, action, entity, entity_id, payload) VALUES ('%ORG%', 'a', 'b', 'c', NULL, '{}')", "23502"),
        ("INSERT INTO audit_logs (organization_id, actor, action, entity, payload) VALUES ('%ORG%', E'line\\nbreak', 'a', 'b', '{}')", "23514"),
        ("INSERT INTO audit_logs (organization_id, actor, action, entity, payload) VALUES ('%ORG%', 'a', 'b', 'c', 'not json')", "22P02"),
        ("INSERT INTO audit_logs (organization_id, actor, action, entity, payload) VALUES ('00000000-0000-4000-8000-000000000000', 'a', 'b', 'c', '{}')", "23503"),
    ])
    func refusedInput(sql: String, state: String) async throws {
        let org = try await organization()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try await $0.executeScript(sql.replacingOccurrences(of: "%ORG%", with: org.uuidString.lowercased())) }
        }
        #expect(error?.sqlState == state, "\(error?.message ?? "")")
        #expect(try await pool.query("SELECT count(*) AS n FROM audit_logs WHERE organization_id = \(org)").single().decode(Int.self, "n") == 0)
    }

    @Test("a superuser's edit of a middle row is found by the Swift verifier")
    func tamperDetected() async throws {
        let org = try await organization()
        for i in 0..<5 {
            _ = try await pool.withConnection { try await store.append(NewAuditEntry(actor: "a", action: "b", entity: "c", payload: "{\"i\":\(i)}"), organization: org, on: $0) }
        }
        try await pool.withConnection { c in
            try await c.executeScript("SET session_replication_role = replica")
            try await c.execute("UPDATE audit_logs SET payload = '{\"i\":99}' WHERE organization_id = \(org) AND seq = 3")
            try await c.executeScript("SET session_replication_role = origin")
        }
        let verifier = try await store.verify(organization: org, pool: pool)
        #expect(verifier.problems.count == 1 && verifier.problems[0].matches(.hashMismatch, at: 3))
    }
}
