@testable import API
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import HTTPServer
import JCS
import Postgres
import Testing

/// `POST /api/compliance/backup-events` live: validation, idempotency, roles.
@Suite(.serialized) struct RecordBackupEventEndpointTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    struct Fixture {
        let server: HTTPServer
        let pool: ConnectionPool
        let operatorToken: String
        let viewerToken: String
        let scopedOperatorToken: String
    }

    func fixture() async throws -> Fixture {
        let db = try await TestEnvironment.shared.database("record-backup-events")
        let pool = db.pool(size: 4)
        let suffix = UUID().uuidString.prefix(8)
        let org = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Scoped GmbH', 'DE') ON CONFLICT DO NOTHING")
        }
        func token(_ role: Role, _ organization: UUID? = nil) async throws -> String {
            try await pool.withConnection {
                try await TokenStore(hasher: Self.hasher).create(name: "\(role.rawValue)-\(suffix)-\(organization == nil ? "g" : "o")", role: role,
                                                                organization: organization, expiresAt: nil, on: $0).0
            }
        }
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        return Fixture(server: server, pool: pool, operatorToken: try await token(.operator), viewerToken: try await token(.viewer),
                       scopedOperatorToken: try await token(.operator, UUID(uuidString: org)))
    }

    func post(_ f: Fixture, _ body: String, token: String?, key: String? = nil, contentType: String = "application/json",
              extra: String = "") async throws -> RawHTTPClient.Response {
        var text = "POST /api/compliance/backup-events HTTP/1.1\r\nHost: t\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        if let key { text += "Idempotency-Key: \(key)\r\n" }
        text += extra + "\r\n" + body
        return try await RawHTTPClient.exchange(port: f.server.port, text, timeout: 10)
    }

    func count(_ f: Fixture) async throws -> Int {
        try await f.pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n")
    }

    static let body = #"{"type":"restore_test","status":"succeeded","stanza":"main","started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:12:00Z","details":{"target_time":"2026-11-26T09:00:00Z","verified_rows":1200}}"#

    @Test("201 with the stored event; a retry with the same key and body is 200 with the same event; a different body is 409")
    func idempotency() async throws {
        let f = try await fixture()
        let before = try await count(f)
        let created = try await post(f, Self.body, token: f.operatorToken, key: #""run-2026-11-26-a""#)
        #expect(created.status == 201, "\(created)")
        let event = try JSONParser.parse(created.body)
        #expect(event["type"] == .string("restore_test") && event["status"] == .string("succeeded"))
        #expect(event["duration_seconds"] == .integer(720) && event["details"]?["verified_rows"] == .integer(1200))
        // same JSON, other whitespace and member order: the same request
        let reordered = #"{ "status": "succeeded", "type": "restore_test", "stanza": "main", "finished_at": "2026-11-26T10:12:00Z", "started_at": "2026-11-26T10:00:00Z", "details": {"verified_rows": 1200, "target_time": "2026-11-26T09:00:00Z"} }"#
        let retry = try await post(f, reordered, token: f.operatorToken, key: "run-2026-11-26-a")
        let again = try JSONParser.parse(retry.body)
        #expect(retry.status == 200 && again["event_id"] == event["event_id"], "\(retry)")
        let conflict = try await post(f, Self.body.replacingOccurrences(of: "succeeded", with: "failed"), token: f.operatorToken,
                                      key: "run-2026-11-26-a")
        #expect(conflict.status == 409 && conflict.header("Content-Type") == "application/problem+json")
        #expect(try await count(f) == before + 1)
        // without a key every POST is a new event
        #expect(try await post(f, Self.body, token: f.operatorToken).status == 201)
        #expect(try await post(f, Self.body, token: f.operatorToken).status == 201)
        #expect(try await count(f) == before + 3)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("eight concurrent requests with one key store one event")
    func concurrentRetries() async throws {
        let f = try await fixture()
        let before = try await count(f)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await post(f, Self.body, token: f.operatorToken, key: "concurrent-1").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 200 }.count == 7, "\(statuses)")
        #expect(try await count(f) == before + 1)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("roles: no token 401, viewer 403, organization-scoped operator 403")
    func roles() async throws {
        let f = try await fixture()
        let before = try await count(f)
        let anonymous = try await post(f, Self.body, token: nil)
        #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate") != nil)
        #expect(try await post(f, Self.body, token: f.viewerToken).status == 403)
        #expect(try await post(f, Self.body, token: f.scopedOperatorToken).status == 403)
        #expect(try await post(f, Self.body, token: "imfc_forged").status == 401)
        #expect(try await count(f) == before)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("bad input: a clear problem naming what is wrong, nothing stored", arguments: [
        ("{", "application/json", nil, 400, "invalid_body"),
        ("", "application/json", nil, 400, "invalid_body"),
        (body, "text/plain", nil, 415, "unsupported_media_type"),
        (#"{"type":"restore_test","status":"succeeded","typo":1}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"restore_test","status":"succeeded","size_bytes":-5}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"restore_test","status":"succeeded","occurred_at":"2026-11-26 10:00"}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"x'); DROP TABLE backup_audit;--","status":"failed"}"#, "application/json", nil, 400, "invalid_field"),
        // issue 12 A: year 0000 gave a 500, an offset of -23:59 stored year 10000
        (#"{"type":"restore_test","status":"succeeded","occurred_at":"0000-01-01T00:00:00Z"}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"restore_test","status":"succeeded","occurred_at":"9999-12-31T23:59:00-23:59"}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"restore_test","status":"succeeded","started_at":"0000-06-01T00:00:00Z"}"#, "application/json", nil, 400, "invalid_field"),
        (#"{"type":"restore_test","status":"succeeded","finished_at":"9999-12-31T23:59:59-00:01"}"#, "application/json", nil, 400, "invalid_field"),
        (body, "application/json", "\"unterminated", 400, "invalid_header"),
        (body, "application/json", String(repeating: "k", count: 201), 400, "invalid_header"),
    ] as [(String, String, String?, Int, String)])
    func badInput(body: String, contentType: String, key: String?, status: Int, code: String) async throws {
        let f = try await fixture()
        let before = try await count(f)
        let r = try await post(f, body, token: f.operatorToken, key: key, contentType: contentType)
        #expect(r.status == status && r.header("Content-Type") == "application/problem+json", "\(r)")
        #expect((try? JSONParser.parse(r.body))?["code"] == .string(code), "\(r.bodyText)")
        #expect(try await count(f) == before)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("a body over 64 KiB is a 413; two Idempotency-Key fields are a 400")
    func limits() async throws {
        let f = try await fixture()
        let huge = #"{"type":"check","status":"failed","error":""# + String(repeating: "x", count: 70_000) + #""}"#
        #expect(try await post(f, huge, token: f.operatorToken).status == 413)
        let twice = try await post(f, Self.body, token: f.operatorToken, key: "a", extra: "Idempotency-Key: b\r\n")
        #expect(twice.status == 400)
        await f.server.shutdown()
        await f.pool.close()
    }
}
