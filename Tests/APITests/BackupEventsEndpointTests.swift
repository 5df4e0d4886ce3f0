@testable import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import Foundation
import HTTPRouting
import HTTPServer
import Postgres
import Testing

/// Parameter validation of `GET /api/compliance/backup-events` (pure).
@Suite struct BackupEventsParameterTests {
    @Test("valid filters")
    func valid() throws {
        let q = try BackupEventsEndpoint.parse("type=backup_full&type=backup_diff&status=failed&stanza=prod&repo=2"
            + "&from=2026-11-01T00:00:00%2B01:00&to=2026-11-26T00:00:00Z&limit=500").get()
        #expect(q.types == [.backupFull, .backupDiff] && q.statuses == [.failed] && q.stanza == "prod" && q.repo == 2)
        #expect(q.from?.rfc3339 == "2026-10-31T23:00:00.000000Z" && q.limit == 500)
        #expect(try BackupEventsEndpoint.parse(nil).get().limit == 50)
        // a literal '+' is a plus sign, not a space (RFC 3986)
        #expect(try BackupEventsEndpoint.parse("from=2026-11-01T00:00:00+01:00").get().from != nil)
    }

    @Test("every bad parameter is a 400 naming it", arguments: [
        ("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"), ("limit=+5", "limit"), ("limit=99999999999999999999", "limit"),
        ("limit=5&limit=6", "limit"), ("type=weekly", "type"), ("status=running", "status"), ("repo=0", "repo"), ("repo=-1", "repo"),
        ("from=2026-11-01T00:00:00", "from"), ("from=yesterday", "from"), ("to=2026-11-01", "to"),
        ("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"), ("cursor=abc", "cursor"), ("cursor=djEuMS4w", "cursor"),
        ("stanza=a%20b", "stanza"), ("stanza=%ZZ", "stanza"), ("stanza=%FF", "stanza"), ("sort=asc", "sort"),
        ("stanza=" + String(repeating: "x", count: 65), "stanza"),
    ])
    func invalid(query: String, parameter: String) {
        guard case .failure(let problem) = BackupEventsEndpoint.parse(query) else {
            Issue.record("\(query) was accepted")
            return
        }
        #expect(problem.status == 400 && problem.code == "invalid_parameter")
        #expect(problem.extensions["parameter"] == .string(parameter))
    }

    @Test("cursors round-trip; only the canonical encoding is accepted")
    func cursors() {
        let c = BackupEventCursor(occurredAt: Timestamp(microsecondsSinceEpoch: 1_795_701_476_123_456), seq: 42)
        #expect(BackupEventCursor(encoded: c.encoded) == c)
        #expect(BackupEventCursor(encoded: Base64URL.encode(Array("v1.1.-3".utf8))) == nil)
        #expect(BackupEventCursor(encoded: Base64URL.encode(Array("v2.1.3".utf8))) == nil)
        #expect(BackupEventCursor(encoded: Base64URL.encode(Array("v1.01.3".utf8))) == nil)
    }
}

/// The endpoint live, against a database with a generated backup history.
@Suite(.serialized) struct BackupEventsEndpointTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    struct Fixture {
        let server: HTTPServer
        let pool: ConnectionPool
        let token: String
        let total: Int
    }

    func fixture() async throws -> Fixture {
        let db = try await TestEnvironment.shared.database("backup-events-api")
        let pool = db.pool(size: 4)
        let existing = try await pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n")
        if existing == 0 {
            let events = DemoBackupHistory(now: Timestamp(rfc3339: "2026-11-26T15:00:00Z")!, days: 10, seed: 7).events()
            try await pool.withConnection { try await BackupAuditStore().append(events, on: $0) }
        }
        let total = try await pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n")
        let (token, _) = try await pool.withConnection {
            try await TokenStore(hasher: Self.hasher).create(name: "viewer-\(UUID().uuidString.prefix(8))", role: .viewer,
                                                            organization: nil, expiresAt: nil, on: $0)
        }
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool)),
                                            corsOrigins: ["https://dash.example"], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        return Fixture(server: server, pool: pool, token: token, total: total)
    }

    func get(_ f: Fixture, _ target: String, token: String? = nil, accept: String? = nil) async throws -> RawHTTPClient.Response {
        var headers = ""
        if let token { headers += "Authorization: Bearer \(token)\r\n" }
        if let accept { headers += "Accept: \(accept)\r\n" }
        return try await RawHTTPClient.exchangeGET(port: f.server.port, target, headers: headers)
    }

    struct Page: Decodable {
        struct Item: Decodable {
            let seq: Int64
            let type: String
            let status: String
            let occurred_at: String
            let details: [String: AnyDecodable]
        }
        let items: [Item]
        let next_cursor: String?
    }

    struct AnyDecodable: Decodable {
        init(from decoder: Decoder) throws {}
    }

    @Test("pages follow next_cursor over the whole history, newest first, no duplicates, no gaps")
    func pagination() async throws {
        let f = try await fixture()
        #expect(try await get(f, "/api/compliance/backup-events").status == 401)
        var seen: [Int64] = []
        var times: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let r = try await get(f, "/api/compliance/backup-events?limit=97" + (cursor.map { "&cursor=\($0)" } ?? ""), token: f.token)
            #expect(r.status == 200 && r.header("Content-Type") == "application/json")
            let page = try JSONDecoder().decode(Page.self, from: Data(r.body))
            seen += page.items.map(\.seq)
            times += page.items.map(\.occurred_at)
            cursor = page.next_cursor
            pages += 1
        } while cursor != nil && pages < 1000
        #expect(seen.count == f.total && Set(seen).count == f.total)
        #expect(times == times.sorted(by: >) || zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("the first request (token looked up, in a task) and the next (token cached, no task) give the same page")
    func taskAndStartedPathsAgree() async throws {
        let f = try await fixture()
        let target = "/api/compliance/backup-events?type=backup_diff&limit=20"
        let first = try await get(f, target, token: f.token)
        let second = try await get(f, target, token: f.token)
        #expect(first.status == 200 && second.status == 200)
        #expect(first.body == second.body && !first.body.isEmpty)
        #expect(first.header("X-Request-Id") != nil && second.header("X-Request-Id") != nil)
        // A bad parameter with the cached token: the same 400 problem on the path without a task.
        let bad = try await get(f, "/api/compliance/backup-events?limit=0", token: f.token)
        #expect(bad.status == 400 && bad.header("Content-Type") == "application/problem+json")
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("filters, CSV, and 400 problems; SQL in a filter is just a value")
    func filters() async throws {
        let f = try await fixture()
        let failed = try await pool(f, "type=backup_diff&status=failed&limit=500")
        let expected = try await f.pool.query("SELECT count(*) AS n FROM backup_audit WHERE event_type = 'backup_diff' AND status = 'failed'")
            .single().decode(Int.self, "n")
        #expect(failed.items.count == expected && failed.items.allSatisfy { $0.type == "backup_diff" && $0.status == "failed" })
        let csv = try await get(f, "/api/compliance/backup-events?limit=3", token: f.token, accept: "text/csv")
        #expect(csv.header("Content-Type") == "text/csv; charset=utf-8")
        let lines = csv.bodyText.split(separator: "\r\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("seq,event_id,run_id,type,status,occurred_at"))
        let bad = try await get(f, "/api/compliance/backup-events?limit=100000", token: f.token)
        #expect(bad.status == 400 && bad.bodyText.contains(#""parameter":"limit""#))
        let injection = try await pool(f, "stanza=prod';DROP%3BTABLE")
        #expect(injection.items.isEmpty)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n") == f.total)
        await f.server.shutdown()
        await f.pool.close()
    }

    func raw(_ f: Fixture, _ text: String) async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.exchange(port: f.server.port, text, timeout: 10)
    }

    @Test("CORS: the configured dashboard origin may preflight and read the API with a token; others may not")
    func cors() async throws {
        let f = try await fixture()
        let target = "/api/compliance/backup-events?limit=1"
        let preflight = try await raw(f, "OPTIONS \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\n"
            + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization, x-request-id\r\n\r\n")
        #expect(preflight.status == 204, "\(preflight)")
        #expect(preflight.header("Access-Control-Allow-Origin") == "https://dash.example")
        #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        #expect(preflight.header("Access-Control-Allow-Methods")?.contains("GET") == true)
        // a preflight carries no credentials (Fetch standard): it must not be refused with 401
        let foreign = try await raw(f, "OPTIONS \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n"
            + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\r\n")
        #expect(foreign.header("Access-Control-Allow-Origin") == nil, "\(foreign)")
        let badMethod = try await raw(f, "OPTIONS \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\n"
            + "Access-Control-Request-Method: DELETE\r\n\r\n")
        #expect(badMethod.header("Access-Control-Allow-Origin") == nil, "\(badMethod)")

        let actual = try await raw(f, "GET \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\nAuthorization: Bearer \(f.token)\r\n\r\n")
        #expect(actual.status == 200 && actual.header("Access-Control-Allow-Origin") == "https://dash.example")
        #expect(actual.header("Vary")?.contains("Origin") == true)
        // the dashboard must be able to read a 401 and its WWW-Authenticate
        let denied = try await raw(f, "GET \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\n\r\n")
        #expect(denied.status == 401 && denied.header("Access-Control-Allow-Origin") == "https://dash.example")
        #expect(denied.header("Access-Control-Expose-Headers")?.contains("WWW-Authenticate") == true)
        let other = try await raw(f, "GET \(target) HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\nAuthorization: Bearer \(f.token)\r\n\r\n")
        #expect(other.status == 200 && other.header("Access-Control-Allow-Origin") == nil)
        await f.server.shutdown()
        await f.pool.close()
    }

    func pool(_ f: Fixture, _ query: String) async throws -> Page {
        let r = try await get(f, "/api/compliance/backup-events?\(query)", token: f.token)
        #expect(r.status == 200, "\(r.bodyText)")
        return try JSONDecoder().decode(Page.self, from: Data(r.body))
    }
}

/// Data endpoints when their database is down: 503 problem+json with Retry-After, on the task
/// path and on the path without a task alike; never a 500, never libpq's text.
@Suite struct DatabaseDownTests {
    @Test("RFC 9110 §15.6.4: the database unreachable → 503 database_unavailable with Retry-After, for JSON, CSV and worm-status")
    func unreachable() async throws {
        let db = try await TestEnvironment.shared.database("database-down")
        let live = db.pool(size: 1)
        let (token, _) = try await live.withConnection {
            try await TokenStore(hasher: BackupEventsEndpointTests.hasher).create(name: "viewer-down", role: .viewer,
                                                                               organization: nil, expiresAt: nil, on: $0)
        }
        // Tokens are checked against the live database; the endpoints query one that is not there.
        let dead = ConnectionPool(configuration: .init(url: "postgresql://nobody@127.0.0.1:1/none", connectTimeoutSeconds: 2),
                                  size: 1, checkoutTimeout: .seconds(2))
        let app = APIServer.makeApplication(.init(readinessPool: dead, pool: dead,
                                                  authenticator: Authenticator(hasher: BackupEventsEndpointTests.hasher, pool: live)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        let auth = "Authorization: Bearer \(token)\r\n"
        // The first request looks the token up (task path), the second has it cached (no task).
        for (target, headers) in [("/api/compliance/backup-events", auth), ("/api/compliance/backup-events?limit=5", auth),
                                  ("/api/compliance/backup-events", auth + "Accept: text/csv\r\n"),
                                  ("/api/compliance/worm-status", auth)] {
            let r = try await RawHTTPClient.exchangeGET(port: server.port, target, headers: headers)
            #expect(r.status == 503, "\(target)")
            #expect(r.header("Content-Type") == "application/problem+json" && r.header("Retry-After") == "5")
            #expect(r.bodyText.contains(#""code":"database_unavailable""#) && !r.bodyText.contains("Connection refused"))
        }
        await server.shutdown()
        await dead.close()
        await live.close()
    }
}
