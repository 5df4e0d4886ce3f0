@testable import API
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Foundation
import HTTPServer
import Postgres
import Testing

/// Issue 12, item B: secrets in a wrapped command and its error line never reach `backup_audit`,
/// the spool, the API's JSON and CSV, or the wrapper's own messages — each form, through the
/// real binary (database up, then down and flushed) and through the API.
@Suite(.serialized) struct SecretRedactionLiveTests {
    /// One distinct secret per form, so a leak names the form that leaked.
    static let secrets = ["S3cr3tURL", "S3cr3tKeyword", "S3cr3tBearer", "S3cr3tEnv", "S3cr3tOption", "S3cr3tSplit", "S3cr3tNote",
                          "S3cr3tShell", "S3cr3tJSON"]
    static let command = [
        "/bin/sh", "-c",
        "echo \"ERROR: [029]: cannot connect to postgresql://app:S3cr3tURL@db/x password=S3cr3tKeyword Authorization: Bearer S3cr3tBearer\" >&2; "
            + "PGPASSWORD=S3cr3tShell true; exit 29",
        "PGPASSWORD=S3cr3tEnv", "--repo1-cipher-pass=S3cr3tOption", "--repo1-s3-key", "S3cr3tSplit", "--annotation=note=S3cr3tNote",
    ]

    func leaks(_ text: String) -> [String] { Self.secrets.filter { text.contains($0) } }

    func dump(_ url: String) async throws -> String {
        let pool = ConnectionPool(configuration: .init(url: url), size: 1)
        let rows = try await pool.query("SELECT b::text AS t FROM backup_audit b")
        await pool.close()
        return try rows.map { try $0.decode(String.self, "t") }.joined(separator: "\n")
    }

    /// The wrapper's own lines (`immoflow-compliance: …`); the command's output passes through as
    /// the command wrote it.
    func ownLines(_ stderr: String) -> String {
        stderr.split(separator: "\n").filter { $0.hasPrefix("immoflow-compliance:") }.joined(separator: "\n")
    }

    @Test("through the binary: stored rows, the spool and the wrapper's messages hold no secret")
    func binary() async throws {
        let db = try await TestEnvironment.shared.database("redaction-live")
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let stored = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "redact-up", "--spool", spool, "--"] + Self.command,
                                              environment: ["DATABASE_URL": db.url])
        #expect(stored.status == 29, "\(stored.stderr)")
        #expect(leaks(ownLines(stored.stderr)).isEmpty)
        let rows = try await dump(db.url)
        #expect(rows.contains("redact-up") && rows.contains("<redacted>"))
        #expect(leaks(rows).isEmpty, "leaked: \(leaks(rows))")

        // the database down: the spool on disk holds no secret, nor does the flushed row
        let down = "postgresql://postgres@127.0.0.1:\(try TestCluster.freePort())/x?connect_timeout=2"
        let spooled = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "redact-down", "--spool", spool, "--"] + Self.command,
                                               environment: ["DATABASE_URL": down])
        #expect(spooled.status == 29 && spooled.stderr.contains("spooled"), "\(spooled.stderr)")
        #expect(leaks(ownLines(spooled.stderr)).isEmpty)
        let onDisk = try String(contentsOfFile: spool, encoding: .utf8)
        #expect(onDisk.contains("redact-down") && leaks(onDisk).isEmpty, "leaked: \(leaks(onDisk))")
        let flushed = try await TestBinary.run(["backup", "flush", "--spool", spool], environment: ["DATABASE_URL": db.url])
        #expect(flushed.status == 0, "\(flushed.stderr)")
        let after = try await dump(db.url)
        #expect(after.contains("redact-down") && leaks(after).isEmpty)
    }

    @Test("through the API: a posted event is stored redacted, and GET JSON and CSV show no secret")
    func api() async throws {
        let db = try await TestEnvironment.shared.database("redaction-live")
        let pool = db.pool(size: 2)
        let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!
        let token = try await pool.withConnection {
            try await TokenStore(hasher: hasher).create(name: "redact-\(UUID().uuidString.prefix(8))", role: .operator, organization: nil,
                                                       expiresAt: nil, on: $0).token
        }
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        let body = #"{"type":"restore_test","status":"failed","stanza":"redact-api","error":"psql postgresql://app:S3cr3tURL@db failed; PGPASSWORD=S3cr3tEnv","details":{"password":"S3cr3tJSON","command":["pgbackrest","--repo1-cipher-pass=S3cr3tOption"],"note":"Bearer S3cr3tBearer"}}"#
        let posted = try await RawHTTPClient.exchange(port: server.port, "POST /api/compliance/backup-events HTTP/1.1\r\nHost: t\r\n"
            + "Authorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body, timeout: 10)
        #expect(posted.status == 201, "\(posted.bodyText)")
        #expect(leaks(posted.bodyText).isEmpty, "leaked: \(leaks(posted.bodyText))")
        for accept in ["application/json", "text/csv"] {
            for _ in 0..<2 {
                let r = try await RawHTTPClient.exchangeGET(port: server.port, "/api/compliance/backup-events?limit=500",
                                                            headers: "Authorization: Bearer \(token)\r\nAccept: \(accept)\r\n")
                #expect(r.status == 200 && r.bodyText.contains("redact-api"))
                #expect(leaks(r.bodyText).isEmpty, "\(accept) leaked: \(leaks(r.bodyText))")
            }
        }
        #expect(leaks(try await dump(db.url)).isEmpty)
        await server.shutdown()
        await pool.close()
    }
}
