import API
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Export
import Foundation
import HTTPServer
import JCS
import Postgres
import Testing

/// `/api/compliance/exports` served live over the fixture's database: an export asked for, run in
/// the background and downloaded whole and in ranges (ETag = SHA-256, If-None-Match, If-Range,
/// 416), the list newest first with a cursor; an auditor of one organization never learning of
/// another's exports (404, never 403); bad requests refused with the field named and nothing
/// recorded.
@Suite(.serialized) struct ExportsEndpointTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    struct Live {
        let server: HTTPServer
        let pool: ConnectionPool
        let runner: ExportJobRunner
        let directory: String

        func token(_ role: Role, organization: String? = nil) async throws -> String {
            try await pool.withConnection {
                try await TokenStore(hasher: ExportsEndpointTests.hasher).create(name: "\(role.rawValue)-\(UUID().uuidString.prefix(8))", role: role,
                                                                                 organization: organization.flatMap(UUID.init(uuidString:)), expiresAt: nil, on: $0).token
            }
        }

        func request(_ method: String, _ target: String, _ token: String?, body: String? = nil, headers: String = "") async throws -> RawHTTPClient.Response {
            var text = "\(method) \(target) HTTP/1.1\r\nHost: t\r\n" + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "") + headers
            if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
            text += "\r\n" + (body ?? "")
            return try await RawHTTPClient.exchange(port: server.port, text, timeout: 20)
        }

        /// Polls the export until it is no longer queued or running.
        func finished(_ id: String, _ token: String) async throws -> [String: Any] {
            for _ in 0..<200 {
                let r = try await request("GET", "/api/compliance/exports/\(id)", token)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
                if let state = json["state"] as? String, state != "queued" && state != "running" { return json }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw HarnessError("export \(id) did not finish in 20 s")
        }
    }

    /// A database of its own: these tests count export rows, which the CLI tests beside them add to.
    static let fixture = Task { try await PackageFixture.make("export-api") }

    static let live = Task { () throws -> Live in
        let fixture = try await ExportsEndpointTests.fixture.value
        let directory = NSTemporaryDirectory() + "exports-api-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = fixture.database.pool(size: 4, statementTimeout: .seconds(120))
        let service = ExportService(pool: pool, builder: PackageBuilder(pool: pool, key: PackageFixture.key, generator: "immoflow-compliance test",
                                                                        scratch: directory), store: nil, host: "test")
        let runner = ExportJobRunner(service: service, reason: nil, pool: pool, directory: directory, concurrency: 1, report: { _ in })
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: hasher, pool: pool), exportJobs: runner),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        return Live(server: server, pool: pool, runner: runner, directory: directory)
    }

    static func json(_ r: RawHTTPClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r)")
    }

    @Test("an auditor asks for its organization's period: 202 with Location, built in the background, then downloaded whole (ETag its SHA-256) and resumed with Range; If-None-Match gives 304; a stale If-Range the whole; a range past the end 416")
    func exportAndDownload() async throws {
        let live = try await Self.live.value
        let auditor = try await live.token(.auditor, organization: PackageFixture.anker)
        let created = try await live.request("POST", "/api/compliance/exports", auditor,
                                             body: #"{"organization_id":"\#(PackageFixture.anker)","from":"2026-09-01","to":"2026-09-30"}"#)
        #expect(created.status == 202, "\(created)")
        let id = try #require(try Self.json(created)["id"] as? String)
        let state = try Self.json(created)["state"] as? String
        #expect(created.header("Location") == "/api/compliance/exports/\(id)" && state == "queued")
        let done = try await live.finished(id, auditor)
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect((done["rows"] as? [String: Int])?["audit_logs"] == 180 && done["package_url"] as? String == "/api/compliance/exports/\(id)/package")
        let sha = try #require(done["sha256"] as? String)
        let size = try #require(done["size_bytes"] as? Int)

        let whole = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor)
        #expect(whole.status == 200 && whole.body.count == size && Hex.encode(SHA256.hash(whole.body)) == sha, "\(whole)")
        #expect(whole.header("ETag") == "\"\(sha)\"" && whole.header("Content-Length") == String(size) && whole.header("Accept-Ranges") == "bytes")
        #expect(whole.header("Content-Disposition") == "attachment; filename=\"\(PackageFixture.anker)_2026-09-01_2026-09-30.tar.gz\"")
        #expect(try PackageFixture.verify(whole.body, pinned: PackageFixture.key.publicKey).valid)

        let tail = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor, headers: "Range: bytes=1000-\r\n")
        #expect(tail.status == 206 && tail.header("Content-Range") == "bytes 1000-\(size - 1)/\(size)" && tail.body == Array(whole.body[1000...]))
        let suffix = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor, headers: "Range: bytes=-10\r\n")
        #expect(suffix.status == 206 && suffix.body == Array(whole.body.suffix(10)))
        let cached = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor, headers: "If-None-Match: \"\(sha)\"\r\n")
        #expect(cached.status == 304 && cached.body.isEmpty)
        let stale = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor, headers: "Range: bytes=0-9\r\nIf-Range: \"other\"\r\n")
        #expect(stale.status == 200 && stale.body.count == size)
        let beyond = try await live.request("GET", "/api/compliance/exports/\(id)/package", auditor, headers: "Range: bytes=\(size)-\r\n")
        #expect(beyond.status == 416 && beyond.header("Content-Range") == "bytes */\(size)")
    }

    @Test("an auditor of one organization never sees another's: its export, its package and a request for it are 404; the list shows only its own; an admin sees all")
    func scope() async throws {
        let live = try await Self.live.value
        let fixture = try await Self.fixture.value
        let other = fixture.organizations[0].id
        let admin = try await live.token(.admin)
        let created = try await live.request("POST", "/api/compliance/exports", admin, body: #"{"organization_id":"\#(other)","from":"2026-10-01","to":"2026-10-31"}"#)
        #expect(created.status == 202, "\(created)")
        let id = try #require(try Self.json(created)["id"] as? String)
        _ = try await live.finished(id, admin)

        let auditor = try await live.token(.auditor, organization: PackageFixture.anker)
        let before = try await Self.count(live)
        for target in ["/api/compliance/exports/\(id)", "/api/compliance/exports/\(id)/package"] {
            let r = try await live.request("GET", target, auditor)
            #expect(r.status == 404, "\(target): \(r)")
        }
        let asked = try await live.request("POST", "/api/compliance/exports", auditor, body: #"{"organization_id":"\#(other)","from":"2026-10-01","to":"2026-10-31"}"#)
        #expect(asked.status == 404, "\(asked)")
        #expect(try await Self.count(live) == before)
        let list = try Self.json(try await live.request("GET", "/api/compliance/exports?limit=200", auditor))
        let organizations = Set(((list["exports"] as? [[String: Any]]) ?? []).compactMap { $0["organization_id"] as? String })
        #expect(organizations.isSubset(of: [PackageFixture.anker]))
        let filtered = try Self.json(try await live.request("GET", "/api/compliance/exports?organization=\(other)", auditor))
        #expect((filtered["exports"] as? [Any])?.isEmpty == true)
        let all = try Self.json(try await live.request("GET", "/api/compliance/exports?limit=200", admin))
        #expect(((all["exports"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == id })
        let viewer = try await live.token(.viewer)
        #expect(try await live.request("GET", "/api/compliance/exports", viewer).status == 403)
        #expect(try await live.request("GET", "/api/compliance/exports", nil).status == 401)
    }

    static func count(_ live: Live) async throws -> Int64 {
        try await live.pool.query("SELECT count(*) FROM export_packages").single().decode(Int64.self, at: 0)
    }

    @Test("the list: newest first, a page at a time with next_cursor, every export once")
    func paging() async throws {
        let live = try await Self.live.value
        let admin = try await live.token(.admin)
        for month in ["05", "06", "07"] {
            let r = try await live.request("POST", "/api/compliance/exports", admin,
                                           body: #"{"organization_id":"\#(PackageFixture.anker)","from":"2026-\#(month)-01","to":"2026-\#(month)-28"}"#)
            #expect(r.status == 202)
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try Self.json(try await live.request("GET", "/api/compliance/exports?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), admin))
            seen += ((page["exports"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        #expect(seen.count == Int(try await Self.count(live)) && Set(seen).count == seen.count)
        let times = try await live.pool.query("SELECT id::text FROM export_packages ORDER BY created_at DESC, id DESC").map { try $0.decode(String.self, at: 0) }
        #expect(seen == times)
        // Every value of the cursor's pattern is a position (a page, maybe empty); anything else a 400.
        let far = try await live.request("GET", "/api/compliance/exports?cursor=0_00000000000000000000000000000000", admin)
        #expect(far.status == 200 && far.bodyText.contains(#""exports":[]"#), "\(far)")
        for bad in ["0", "1_0000", "1_0000000000000000000000000000000G", "１_00000000000000000000000000000000", "12345678901234567_00000000000000000000000000000000"] {
            let r = try await live.request("GET", "/api/compliance/exports?cursor=\(bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? bad)", admin)
            #expect(r.status == 400, "\(bad): \(r)")
        }
    }

    @Test("bad requests: 415, 400 naming the field, 404 for an unknown organization, 409 for worm without a store — nothing recorded", arguments: [
        ("text/plain", #"{}"#, 415, "unsupported_media_type"),
        ("application/json", "[1]", 400, "invalid_body"),
        ("application/json", "{", 400, "invalid_body"),
        ("application/json", #"{"organization_id":"x","from":"2026-01-01","to":"2026-01-31"}"#, 400, "organization_id"),
        ("application/json", #"{"organization_id":"a0000000-0000-4000-8000-0000000000a1","from":"2026-02-01","to":"2026-01-31"}"#, 400, "to"),
        ("application/json", #"{"organization_id":"a0000000-0000-4000-8000-0000000000a1","from":"2010-01-01","to":"2025-01-31"}"#, 400, "to"),
        ("application/json", #"{"organization_id":"a0000000-0000-4000-8000-0000000000a1","from":"2026-01-01","to":"2026-01-31","profile":"x"}"#, 400, "profile"),
        ("application/json", #"{"organization_id":"a0000000-0000-4000-8000-0000000000a1","from":"2026-01-01","to":"2026-01-31","extra":1}"#, 400, "extra"),
        ("application/json", #"{"organization_id":"b0000000-0000-4000-8000-0000000000b1","from":"2026-01-01","to":"2026-01-31"}"#, 404, "not_found"),
        ("application/json", #"{"organization_id":"a0000000-0000-4000-8000-0000000000a1","from":"2026-01-01","to":"2026-01-31","worm":true}"#, 409, "worm_not_configured"),
    ])
    func badRequests(contentType: String, body: String, status: Int, names: String) async throws {
        let live = try await Self.live.value
        let admin = try await live.token(.admin)
        let before = try await Self.count(live)
        let text = "POST /api/compliance/exports HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(admin)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let r = try await RawHTTPClient.exchange(port: live.server.port, text)
        #expect(r.status == status && r.header("Content-Type") == "application/problem+json" && r.bodyText.contains(names), "\(r)")
        #expect(try await Self.count(live) == before)
    }
}
