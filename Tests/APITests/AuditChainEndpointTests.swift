import API
import Chronology
import Compliance
import Crypto
import ComplianceStore
import ComplianceTesting
import Foundation
import HTTPServer
import JCS
import Postgres
import Testing

/// `GET /api/compliance/audit-chain`, the audit-chain metrics and the worm-status control, fed by
/// recorded verifications and checkpoints: every organization's head, newest verification and
/// checkpoint; a scoped token sees its own organization; one failing organization is a violation
/// even when another was verified after it.
@Suite(.serialized) struct AuditChainEndpointTests {
    struct Fixture {
        let api: LiveAPI
        let orgA: String
        let orgB: String
        var server: HTTPServer { api.server }
        var pool: ConnectionPool { api.pool }
    }

    func fixture(_ label: String) async throws -> Fixture {
        let pool = try await TestEnvironment.shared.migratedDatabase(label).pool(size: 2)
        let a = UUID().uuidString.lowercased(), b = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(a)::uuid, 'A GmbH', 'DE'), (\(b)::uuid, 'B GmbH', 'AT')")
            for org in [a, b] {
                _ = try await AuditLogStore().append((1...3).map { NewAuditEntry(actor: "u", action: "insert", entity: "tenants", payload: #"{"n":\#($0)}"#) },
                                                     organization: UUID(uuidString: org)!, on: c)
            }
            // a: verified with a problem, then b intact a minute later; a checkpoint of b.
            try await c.execute("""
                INSERT INTO audit_chain_verifications (organization_id, chain, verified_at, entries, head_seq, head_hash, ok, problem_count, first_problem)
                VALUES (\(a)::uuid, 'audit_logs', now() - interval '2 minutes', 3, 3, decode(repeat('aa', 32), 'hex'), false, 1, 'seq 2: hash mismatch'),
                       (\(b)::uuid, 'audit_logs', now() - interval '1 minute', 3, 3, decode(repeat('bb', 32), 'hex'), true, 0, NULL),
                       (NULL, 'backup_audit', now(), 0, 0, decode(repeat('00', 32), 'hex'), true, 0, NULL)
                """)
            try await c.execute("""
                INSERT INTO audit_checkpoints (organization_id, seq, hash, key_id, signature, storage_key, version_id, created_at)
                VALUES (\(b)::uuid, 3, decode(repeat('bb', 32), 'hex'), '0123456789abcdef', decode(repeat('11', 64), 'hex'), 'audit/checkpoints/x.txt', 'v1',
                        '2026-12-01T00:00:00Z')
                """)
        }
        return Fixture(api: try LiveAPI.start(pool: pool), orgA: a, orgB: b)
    }

    func token(_ f: Fixture, _ role: Role, organization: String? = nil) async throws -> String {
        try await f.api.token(role, organization: organization)
    }

    func get(_ f: Fixture, _ target: String, _ token: String?) async throws -> RawHTTPClient.Response {
        try await f.api.get(target, token)
    }

    @Test("every chain with its head, newest verification and checkpoint; a scoped token its own only; no token 401, a parameter 400")
    func chains() async throws {
        let f = try await fixture("audit-chain-endpoint")
        let viewer = try await token(f, .viewer)
        let r = try await get(f, "/api/compliance/audit-chain", viewer)
        #expect(r.status == 200, "\(r.bodyText)")
        let chains = try #require(try JSONParser.parse(r.body)["chains"]?.array)
        #expect(chains.count == 3)
        let b = try #require(chains.first { $0["organization_id"] == .string(f.orgB) })
        #expect(b["head"]?["seq"] == .integer(3) && b["head"]?["hash"]?.string?.count == 64)
        #expect(b["last_verification"]?["ok"] == .bool(true) && b["last_checkpoint"]?["version_id"] == .string("v1"))
        #expect(b["last_checkpoint"]?["created_at"] == .string("2026-12-01T00:00:00.000000Z"))
        let a = try #require(chains.first { $0["organization_id"] == .string(f.orgA) })
        #expect(a["last_verification"]?["first_problem"] == .string("seq 2: hash mismatch") && a["last_checkpoint"] == .null)
        #expect(chains.contains { $0["chain"] == .string("backup_audit") && $0["organization_id"] == .null })

        let scoped = try await get(f, "/api/compliance/audit-chain", try await token(f, .viewer, organization: f.orgB))
        let own = try #require(try JSONParser.parse(scoped.body)["chains"]?.array)
        #expect(own.count == 1 && own[0]["organization_id"] == .string(f.orgB))
        #expect(try await get(f, "/api/compliance/audit-chain", nil).status == 401)
        #expect(try await get(f, "/api/compliance/audit-chain?organization=x", viewer).status == 400)
        await f.api.close()
    }

    @Test("metrics per chain; the worm-status control a violation naming the failing organization though another was verified after it")
    func metricsAndControl() async throws {
        let f = try await fixture("audit-chain-metrics")
        let metrics = try await get(f, "/api/metrics", nil).bodyText
        #expect(metrics.contains(#"compliance_audit_chain_ok{chain="audit_logs",organization="\#(f.orgA)"} 0"#), "\(metrics)")
        #expect(metrics.contains(#"compliance_audit_chain_ok{chain="audit_logs",organization="\#(f.orgB)"} 1"#))
        #expect(metrics.contains(#"compliance_audit_chain_ok{chain="backup_audit",organization=""} 1"#))
        #expect(metrics.contains(#"compliance_audit_chain_entries_verified{chain="audit_logs",organization="\#(f.orgB)"} 3"#))
        #expect(metrics.contains(#"compliance_audit_chain_last_checkpoint_timestamp_seconds{chain="audit_logs",organization="\#(f.orgB)"} 1796083200"#))
        let status = try await get(f, "/api/compliance/worm-status", try await token(f, .viewer))
        let control = try #require(try JSONParser.parse(status.body)["controls"]?.array?.first { $0["id"] == .string("audit_chain") })
        #expect(control["status"] == .string("violation"))
        #expect(control["detail"]?.string?.contains("\(f.orgA): seq 2: hash mismatch") == true, "\(control)")
        // B's own view: its chain is intact.
        let scoped = try await get(f, "/api/compliance/worm-status", try await token(f, .viewer, organization: f.orgB))
        let own = try #require(try JSONParser.parse(scoped.body)["controls"]?.array?.first { $0["id"] == .string("audit_chain") })
        #expect(own["status"] == .string("ok"), "\(own)")
        await f.api.close()
    }

    @Test("audit-logs: chain order, hashed renderings that recompute the chain, filters, keyset pages in JSON and CSV, scope and parameter refusals")
    func auditLogs() async throws {
        let f = try await fixture("audit-logs-endpoint")
        try await f.pool.withConnection { c in
            _ = try await AuditLogStore().append((4...9).map { n in
                NewAuditEntry(actor: n % 2 == 0 ? "user:even" : "user:odd", action: "update", entity: n < 7 ? "tenants" : "ledger_entries",
                              entityID: "e\(n)", payload: #"{"text":"Größe \"A\"; €","n":\#(n)}"#)
            }, organization: UUID(uuidString: f.orgA)!, on: c)
        }
        let viewer = try await token(f, .viewer)
        // Whole log in pages of 4: the rows recompute the chain from the JSON alone.
        var entries: [JSONValue] = []
        var cursor: String?
        repeat {
            let r = try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA.uppercased())&limit=4" + (cursor.map { "&cursor=\($0)" } ?? ""), viewer)
            #expect(r.status == 200, "\(r.bodyText)")
            let page = try JSONParser.parse(r.body)
            entries += page["entries"]?.array ?? []
            cursor = page["next_cursor"]?.string
        } while cursor != nil
        #expect(entries.map { $0["seq"]?.integer ?? 0 } == Array(1...9))
        var verifier = AuditChainVerifier()
        for e in entries {
            verifier.consume(AuditEntry(organizationID: e["organization_id"]!.string!, seq: e["seq"]!.integer!,
                                        occurredAt: Timestamp(rfc3339: e["occurred_at"]!.string!)!, actor: e["actor"]!.string!,
                                        action: e["action"]!.string!, entity: e["entity"]!.string!, entityID: e["entity_id"]!.string!,
                                        payload: e["payload"]!.string!, prevHash: Hex.decode(e["prev_hash"]!.string!)!, hash: Hex.decode(e["hash"]!.string!)!))
        }
        #expect(verifier.isIntact && verifier.entries == 9)
        #expect(entries.allSatisfy { $0["occurred_at"]?.string?.count == 27 })
        // Filters.
        let filtered = try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)&actor=user:even&entity=ledger_entries", viewer)
        #expect(try JSONParser.parse(filtered.body)["entries"]?.array?.map { $0["seq"]?.integer ?? 0 } == [8])
        // 200 characters of two bytes each are within maxLength 200; 201 are not.
        let long = String(repeating: "%C3%A4", count: 200)
        #expect(try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)&actor=\(long)", viewer).status == 200)
        #expect(try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)&actor=\(long)%C3%A4", viewer).status == 400)
        let nul = try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)&actor=user%00", viewer)
        #expect(nul.status == 200 && (try? JSONParser.parse(nul.body)["entries"]?.array?.isEmpty) == true, "\(nul.bodyText)")
        let future = try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)&from=2999-01-01T00:00:00Z", viewer)
        #expect(try JSONParser.parse(future.body)["entries"]?.array?.isEmpty == true)
        // CSV: the header, a row per entry, the next cursor in a header.
        let csv = try await f.api.get("/api/compliance/audit-logs?organization=\(f.orgA)&limit=2", viewer, headers: "Accept: text/csv\r\n")
        #expect(csv.status == 200 && csv.header("Content-Type") == "text/csv; charset=utf-8" && csv.header("X-Next-Cursor")?.count == 11)
        let lines = csv.bodyText.split(separator: "\r\n")
        #expect(lines.count == 3 && lines[0] == "organization_id,seq,occurred_at,actor,action,entity,entity_id,payload,prev_hash,hash")
        // Scope: a token of B reads B and is refused A; every token names the organization.
        let scopedB = try await token(f, .viewer, organization: f.orgB)
        #expect(try await get(f, "/api/compliance/audit-logs", scopedB).status == 400)
        let own = try await get(f, "/api/compliance/audit-logs?organization=\(f.orgB)", scopedB)
        let ownEntries = try JSONParser.parse(own.body)["entries"]?.array?.count
        #expect(own.status == 200 && ownEntries == 3)
        #expect(try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)", scopedB).status == 403)
        for bad in ["", "?organization=nope", "?organization=\(f.orgA)&limit=0", "?organization=\(f.orgA)&cursor=abc",
                    "?organization=\(f.orgA)&actor=a&actor=b", "?organization=\(f.orgA)&colour=red"] {
            let r = try await get(f, "/api/compliance/audit-logs" + bad, viewer)
            #expect(r.status == 400 && r.bodyText.contains("invalid_parameter"), "\(bad): \(r.bodyText)")
        }
        #expect(try await get(f, "/api/compliance/audit-logs?organization=\(f.orgA)", nil).status == 401)
        await f.api.close()
    }

    /// Rows of an audit-logs CSV page as entries (the header line dropped).
    static func entries(csv: [UInt8]) throws -> [AuditEntry] {
        try CSVReader.parse(csv).dropFirst().map { f in
            AuditEntry(organizationID: f[0], seq: Int64(f[1])!, occurredAt: try #require(Timestamp(rfc3339: f[2])), actor: f[3], action: f[4],
                       entity: f[5], entityID: f[6], payload: f[7], prevHash: try #require(Hex.decode(f[8])), hash: try #require(Hex.decode(f[9])))
        }
    }

    @Test("§7 #19 (from the API's CSV; the package's audit_logs.csv is the export issue's): two periods verify, the second anchored by the first's last hash; an edited cell is a hash mismatch at its seq")
    func periodsFromCSV() async throws {
        let f = try await fixture("audit-logs-csv")
        try await f.pool.withConnection { c in
            _ = try await AuditLogStore().append((4...14).map { n in
                NewAuditEntry(actor: "user:\(n)", action: "update", entity: "ledger_entries", entityID: "e\(n)", payload: #"{"betrag":"\#(n),50","text":"Größe; \"A\""}"#)
            }, organization: UUID(uuidString: f.orgA)!, on: c)
        }
        let viewer = try await token(f, .viewer)
        func page(_ query: String) async throws -> RawHTTPClient.Response {
            try await f.api.get("/api/compliance/audit-logs?organization=\(f.orgA)&" + query, viewer, headers: "Accept: text/csv\r\n")
        }
        let first = try await page("limit=7")
        let period1 = try Self.entries(csv: first.body)
        let period2 = try Self.entries(csv: try await page("limit=100&cursor=\(try #require(first.header("X-Next-Cursor")))").body)
        #expect(period1.map(\.seq) == Array(1...7) && period2.map(\.seq) == Array(8...14))
        var one = AuditChainVerifier()
        period1.forEach { one.consume($0) }
        #expect(one.isIntact && one.head.seq == 7)
        var two = AuditChainVerifier(firstSeq: 8, previousHash: one.head.hash)
        period2.forEach { two.consume($0) }
        #expect(two.isIntact && two.head.seq == 14, "\(two.problems)")
        // Anchored elsewhere (another period's hash), or with one cell changed: found at the seq.
        var unanchored = AuditChainVerifier(firstSeq: 8, previousHash: Array(repeating: 0, count: 32))
        period2.forEach { unanchored.consume($0) }
        #expect(unanchored.problems.contains { $0.matches(.brokenLink, at: 8) })
        var edited = period2
        edited[3].payload = edited[3].payload.replacingOccurrences(of: "11,50", with: "11,05")
        var tampered = AuditChainVerifier(firstSeq: 8, previousHash: one.head.hash)
        edited.forEach { tampered.consume($0) }
        #expect(tampered.problems.map { "\($0.kind.rawValue) \($0.seq)" } == ["hash mismatch 11"])
        await f.api.close()
    }
}
