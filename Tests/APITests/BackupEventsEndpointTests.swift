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
        ("cursor=abc", "cursor"), ("cursor=djEuMS4w", "cursor"), ("cursor=djEuLTkyMjMzNzIwMzY4NTQ3NzU4MDguMQ", "cursor"),
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

    @Test("cursors round-trip; every string of the documented shape is a position, nothing else is")
    func cursors() {
        let c = BackupEventCursor(occurredAt: Timestamp(microsecondsSinceEpoch: 1_795_701_476_123_456), seq: 42)
        #expect(c.encoded.utf8.count == 22)
        #expect(BackupEventCursor(encoded: c.encoded) == c)
        // the last character carries 2 bits: B is A plus a stray bit, so it has no position
        #expect(BackupEventCursor(encoded: String(repeating: "A", count: 21) + "B") == nil)
        for last in ["A", "Q", "g", "w"] {
            #expect(BackupEventCursor(encoded: String(repeating: "_", count: 21) + last) != nil)
            #expect(BackupEventCursor(encoded: String(repeating: "0", count: 21) + last) != nil)
        }
        // the old text cursors, wrong lengths and other alphabets are refused
        #expect(BackupEventCursor(encoded: Base64URL.encode(Array("v1.1.3".utf8))) == nil)
        #expect(BackupEventCursor(encoded: String(repeating: "A", count: 21)) == nil)
        #expect(BackupEventCursor(encoded: String(repeating: "A", count: 23)) == nil)
        #expect(BackupEventCursor(encoded: String(repeating: "A", count: 21) + "=") == nil)
        #expect(BackupEventCursor(encoded: String(repeating: "+", count: 22)) == nil)
    }

    /// The red-team cursor of issue 12 (Int64.min microseconds) and its neighbours: every time is
    /// moved into the bindable range, so no page query can overflow or be refused by PostgreSQL.
    @Test("cursors at Int64's edges become positions at the range's ends", arguments: [
        (Int64.min, Int64(1)), (Int64.min + 1, Int64.max), (Int64.max, Int64.min), (Int64.max - 1, Int64(0)),
        (Timestamp.earliest.microsecondsSinceEpoch - 1, Int64(5)), (Timestamp.latest.microsecondsSinceEpoch + 1, Int64(5)),
        (Timestamp.earliest.microsecondsSinceEpoch, Int64.min), (Timestamp.latest.microsecondsSinceEpoch, Int64.max),
    ])
    func cursorEdges(micros: Int64, seq: Int64) throws {
        let forged = BackupEventCursor(occurredAt: Timestamp(microsecondsSinceEpoch: micros), seq: seq).encoded
        let c = try #require(BackupEventCursor(encoded: forged))
        #expect(c.occurredAt.isInRFC3339Range)
        if micros > Timestamp.latest.microsecondsSinceEpoch { #expect(c == BackupEventCursor(occurredAt: .latest, seq: .max)) }
        if micros < Timestamp.earliest.microsecondsSinceEpoch { #expect(c == BackupEventCursor(occurredAt: .earliest, seq: .min)) }
        if c.occurredAt.microsecondsSinceEpoch == micros { #expect(c.seq == seq) }
        let q = try BackupEventsEndpoint.parse("cursor=" + forged).get()
        #expect(q.after == c)
        _ = c.occurredAt.rfc3339
    }

    @Test("any RFC 3339 date-time is a bound, also beyond the stored years 0001–9999; to ≤ from is an empty interval", arguments: [
        "from=0000-01-01T00:00:00Z", "to=0000-12-31T23:59:59Z", "from=9999-12-31T23:59:00-00:01", "to=9999-12-31T23:30:00-23:59",
        "from=0001-01-01T00:00:00%2B00:01", "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z",
    ])
    func anyDateTimeIsABound(query: String) throws {
        let q = try BackupEventsEndpoint.parse(query).get()
        #expect(q.from != nil || q.to != nil)
        // the statement binds every bound, ±infinity beyond the range
        _ = BackupAuditStore.pageQuery(q)
    }

    @Test("the range's own ends are accepted")
    func timesAtTheEnds() throws {
        let q = try BackupEventsEndpoint.parse("from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999999Z").get()
        #expect(q.from == .earliest && q.to == .latest)
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

    /// Issue 12 A: the forged cursor `v1.-9223372036854775808.1` ended the process (SIGILL) on the
    /// JSON and the CSV path. Cursors at Int64's edges are positions now: beyond the newest row
    /// the whole history, before the oldest an empty page; the server lives on.
    @Test("forged cursors at Int64's edges answer 200 on the JSON and CSV paths and the server lives on")
    func forgedCursors() async throws {
        let f = try await fixture()
        let newestFirst = try await pool(f, "limit=5")
        for (micros, seq) in [(Int64.min, Int64(1)), (Int64.min + 1, Int64.max), (Int64.max, Int64.min), (Int64.max, Int64.max)] {
            let cursor = BackupEventCursor(occurredAt: Timestamp(microsecondsSinceEpoch: micros), seq: seq).encoded
            for accept in [nil, "text/csv"] {
                // twice: the task path (token lookup) and the started path (token cached) for JSON
                for _ in 0..<2 {
                    let r = try await get(f, "/api/compliance/backup-events?limit=5&cursor=\(cursor)", token: f.token, accept: accept)
                    #expect(r.status == 200, "\(micros) \(accept ?? "json"): \(r.bodyText)")
                    if accept == nil, r.status == 200 {
                        let page = try JSONDecoder().decode(Page.self, from: Data(r.body))
                        #expect(page.items.map(\.seq) == (micros > 0 ? newestFirst.items.map(\.seq) : []))
                    }
                }
            }
        }
        let old = try await get(f, "/api/compliance/backup-events?cursor=djEuLTkyMjMzNzIwMzY4NTQ3NzU4MDguMQ", token: f.token)
        #expect(old.status == 400 && old.bodyText.contains(#""parameter":"cursor""#))
        #expect(try await get(f, "/health").status == 200)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("bounds beyond the stored years select everything or nothing; an empty interval is an empty page")
    func boundsBeyondTheRange() async throws {
        let f = try await fixture()
        let all = try await pool(f, "limit=500&from=0000-01-01T00:00:00%2B23:59&to=9999-12-31T23:59:00-23:59")
        #expect(all.items.count == min(500, f.total))
        #expect(try await pool(f, "from=9999-12-31T23:59:00-23:59").items.isEmpty)
        #expect(try await pool(f, "to=0000-01-01T00:00:00Z").items.isEmpty)
        #expect(try await pool(f, "from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z").items.isEmpty)
        await f.server.shutdown()
        await f.pool.close()
    }

    @Test("Accept with q-values picks JSON or CSV (RFC 9110 §12.5.1); nothing acceptable is a 406; HEAD has the GET's fields")
    func negotiation() async throws {
        let f = try await fixture()
        let target = "/api/compliance/backup-events?limit=2"
        for (accept, type) in [("text/csv;q=0.5, application/json", "application/json"), ("text/csv, application/json;q=0.5", "text/csv; charset=utf-8"),
                               ("text/*", "text/csv; charset=utf-8"), ("application/json;q=0, */*", "text/csv; charset=utf-8")] {
            // twice: the task path, then the path without a task (token cached)
            for _ in 0..<2 {
                let r = try await get(f, target, token: f.token, accept: accept)
                #expect(r.status == 200 && r.header("Content-Type") == type, "\(accept): \(r.header("Content-Type") ?? "none")")
            }
        }
        for accept in ["application/xml", "*/*;q=0"] {
            let r = try await get(f, target, token: f.token, accept: accept)
            #expect(r.status == 406 && r.bodyText.contains(#""code":"not_acceptable""#), "\(accept): \(r.status)")
        }
        let head = try await raw(f, "HEAD \(target) HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(f.token)\r\n\r\n", head: true)
        let full = try await get(f, target, token: f.token)
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == full.header("Content-Length"))
        await f.server.shutdown()
        await f.pool.close()
    }

    func raw(_ f: Fixture, _ text: String, head: Bool = false) async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.exchange(port: f.server.port, text, head: head, timeout: 10)
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
        // a dashboard must be able to read the CSV cursor and a 503's Retry-After
        for name in ["X-Next-Cursor", "Retry-After", "X-Request-Id"] {
            #expect(actual.header("Access-Control-Expose-Headers")?.contains(name) == true, "\(name) not exposed")
        }
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
