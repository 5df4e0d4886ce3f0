import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import HTTPServer
import JCS
import Postgres
import Testing

/// What counts as evidence, and for whom (issue 12, items 7, E and F): events from the future
/// neither record nor count, an organization-scoped token sees its own organization's
/// aggregates, and a retry that adds `null` members is the same request.
@Suite(.serialized) struct EvidenceRulesTests {
    struct Fixture {
        let api: LiveAPI
        let orgA: String
        let orgB: String
        var server: HTTPServer { api.server }
        var pool: ConnectionPool { api.pool }
        func close() async { await api.close() }
    }

    func fixture(_ label: String, metricsRequireToken: Bool = false) async throws -> Fixture {
        let pool = try await TestEnvironment.shared.migratedDatabase(label).pool(size: 2)
        let a = UUID().uuidString.lowercased(), b = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(a)::uuid, 'A GmbH', 'DE'), (\(b)::uuid, 'B GmbH', 'AT')")
        }
        return Fixture(api: try LiveAPI.start(pool: pool, metricsRequireToken: metricsRequireToken), orgA: a, orgB: b)
    }

    func token(_ f: Fixture, _ role: Role, organization: String? = nil) async throws -> String {
        try await f.api.token(role, organization: organization)
    }

    func get(_ f: Fixture, _ target: String, _ token: String?) async throws -> RawHTTPClient.Response {
        try await f.api.get(target, token)
    }

    func post(_ f: Fixture, _ body: String, _ token: String, key: String) async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.exchange(port: f.server.port, "POST /api/compliance/backup-events HTTP/1.1\r\nHost: t\r\n"
            + "Authorization: Bearer \(token)\r\nContent-Type: application/json\r\nIdempotency-Key: \(key)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body, timeout: 10)
    }

    func control(_ body: [UInt8], _ id: String) throws -> JSONValue {
        try #require(try JSONParser.parse(body)["controls"]?.array?.first { $0["id"] == .string(id) })
    }

    @Test("an event from the future is refused when posted (400 naming the field); within the skew it is stored")
    func futureRefused() async throws {
        let f = try await fixture("future-post")
        let op = try await token(f, .operator)
        for field in ["occurred_at", "started_at", "finished_at"] {
            let body = #"{"type":"restore_test","status":"succeeded","\#(field)":"2036-01-01T00:00:00Z"}"#
            let r = try await post(f, body, op, key: "future-\(field)")
            #expect(r.status == 400 && r.bodyText.contains(#""field":"\#(field)""#), "\(field): \(r.bodyText)")
        }
        let soon = Timestamp(Date()).adding(seconds: 240).rfc3339
        #expect(try await post(f, #"{"type":"restore_test","status":"succeeded","occurred_at":"\#(soon)"}"#, op, key: "soon").status == 201)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n") == 1)
        await f.close()
    }

    @Test("a future-dated row from any path counts as evidence nowhere: worm-status and /api/metrics agree")
    func futureNotEvidence() async throws {
        let f = try await fixture("future-evidence")
        let viewer = try await token(f, .viewer)
        // Written around the API (as a careless script might): ten years ahead, and one fresh past row.
        try await f.pool.withConnection { c in
            try await c.execute("""
                INSERT INTO backup_audit (event_type, status, stanza, occurred_at) VALUES
                    ('backup_full', 'succeeded', 'prod', now() + interval '10 years'),
                    ('backup_full', 'succeeded', 'prod', now() - interval '30 hours'),
                    ('restore_test', 'succeeded', 'prod', now() + interval '1 hour')
                """)
        }
        let status = try await get(f, "/api/compliance/worm-status", viewer)
        let full = try control(status.body, "full_backup")
        #expect(full["status"] == .string("violation"), "\(full)")
        #expect(try control(status.body, "restore_test")["status"] == .string("unknown"))
        let metrics = try await get(f, "/api/metrics", nil).bodyText
        let past = try await f.pool.query("SELECT floor(extract(epoch FROM max(occurred_at)))::bigint AS t FROM backup_audit WHERE occurred_at < now()")
            .single().decode(Int64.self, "t")
        #expect(metrics.contains(#"pgbackrest_backup_last_full_timestamp{stanza="prod"} \#(past)"#), "\(metrics.prefix(600))")
        #expect(!metrics.contains("pgbackrest_restore_test_last_timestamp{"))
        #expect(metrics.contains(#"compliance_control_status{control="full_backup"} 3"#))
        await f.close()
    }

    @Test("worm-status: an organization-scoped token sees its own organization's export packages only")
    func scopedExports() async throws {
        let f = try await fixture("scoped-exports", metricsRequireToken: true)
        try await f.pool.withConnection { c in
            try await c.execute("""
                INSERT INTO export_packages (organization_id, period_start, period_end, profile, lock_mode, retain_until, legal_hold) VALUES
                    (\(f.orgA)::uuid, '2025-01-01', '2025-12-31', 'gobd', 'COMPLIANCE', '2040-01-01', false),
                    (\(f.orgB)::uuid, '2025-01-01', '2025-12-31', 'bao', NULL, NULL, true),
                    (\(f.orgB)::uuid, '2024-01-01', '2024-12-31', 'bao', 'GOVERNANCE', '2030-01-01', false)
                """)
        }
        let auditorA = try await token(f, .auditor, organization: f.orgA)
        let viewerB = try await token(f, .viewer, organization: f.orgB)
        let admin = try await token(f, .admin)
        func exports(_ token: String) async throws -> JSONValue {
            let r = try await get(f, "/api/compliance/worm-status", token)
            #expect(r.status == 200)
            return try #require(try JSONParser.parse(r.body)["exports"])
        }
        let a = try await exports(auditorA), b = try await exports(viewerB), all = try await exports(admin)
        #expect(a["total"] == .integer(1) && a["unlocked"] == .integer(0) && a["legal_hold"] == .integer(0))
        // Never read back from a WORM store: no verdicts, no time.
        #expect(a["verified"] == .integer(0) && a["failed_verification"] == .integer(0) && a["last_verified_at"] == .null)
        #expect(b["total"] == .integer(2) && b["legal_hold"] == .integer(1) && b["unlocked"] == .integer(2))
        #expect(all["total"] == .integer(3))
        // /api/metrics behind a token: the scoped viewer's aggregates are its own too
        let scoped = try await get(f, "/api/metrics", viewerB).bodyText
        let whole = try await get(f, "/api/metrics", admin).bodyText
        #expect(scoped.contains(#"compliance_export_packages{state="locked"} 0"#), "\(scoped)")
        #expect(whole.contains(#"compliance_export_packages{state="locked"} 1"#))
        await f.close()
    }

    @Test("Idempotency-Key: a retry that adds null members or writes 1200 as 1200.0 is the same request (200)")
    func nullMembers() async throws {
        let f = try await fixture("idempotency-null")
        let op = try await token(f, .operator)
        let first = try await post(f, #"{"type":"restore_test","status":"succeeded","details":{"rows":1200}}"#, op, key: "null-retry")
        #expect(first.status == 201)
        let retry = try await post(f, #"{"type":"restore_test","status":"succeeded","stanza":null,"error":null,"details":{"rows":1200.0}}"#,
                                   op, key: "null-retry")
        #expect(retry.status == 200, "\(retry.bodyText)")
        #expect(try JSONParser.parse(retry.body)["event_id"] == JSONParser.parse(first.body)["event_id"])
        let other = try await post(f, #"{"type":"restore_test","status":"succeeded","stanza":"x","details":{"rows":1200}}"#, op, key: "null-retry")
        #expect(other.status == 409)
        await f.close()
    }
}
