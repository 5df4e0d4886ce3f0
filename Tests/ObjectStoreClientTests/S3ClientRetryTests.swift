import ObjectStore
@testable import ObjectStoreClient
import Testing

/// Retries: 500/503/SlowDown and connection resets are tried again (with backoff), a 4xx never.
@Suite struct S3ClientRetryTests {
    static func client(_ server: ScriptedServer, attempts: Int = 4) throws -> S3Client {
        var configuration = S3Configuration(endpoint: S3Endpoint(secure: false, host: "127.0.0.1", port: server.port, addressing: .path),
                                            region: "us-east-1", bucket: "b", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "s"))
        configuration.timeout = 5
        configuration.attempts = attempts
        return try S3Client(configuration)
    }

    static let retention = "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2035-01-01T00:00:00Z</RetainUntilDate></Retention>"
    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: \(retention.utf8.count)\r\n\r\n\(retention)"
    static func error(_ status: String, _ code: String) -> String {
        let body = "<Error><Code>\(code)</Code></Error>"
        return "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("SlowDown, an internal error and a reset, then the answer: four requests, one result")
    func retried() throws {
        let server = try ScriptedServer([Self.error("503 Slow Down", "SlowDown"), Self.error("500 Internal Server Error", "InternalError"), nil, Self.ok])
        defer { server.stop() }
        let retention = try Self.client(server).retention(name: "k", versionID: "v1")
        #expect(retention.mode == .compliance && server.count == 4)
    }

    @Test("a 4xx is answered at once, never retried", arguments: [("403 Forbidden", "AccessDenied"), ("400 Bad Request", "BadDigest"), ("404 Not Found", "NoSuchVersion")])
    func notRetried(status: String, code: String) throws {
        let server = try ScriptedServer([Self.error(status, code), Self.ok])
        defer { server.stop() }
        #expect(throws: ObjectStoreError.self) { _ = try Self.client(server).retention(name: "k", versionID: "v1") }
        #expect(server.count == 1)
    }

    @Test("attempts run out: the last error, after exactly that many requests")
    func exhausted() throws {
        let server = try ScriptedServer(Array(repeating: Self.error("503 Service Unavailable", "SlowDown"), count: 5))
        defer { server.stop() }
        do {
            _ = try Self.client(server, attempts: 3).retention(name: "k", versionID: "v1")
            Issue.record("succeeded")
        } catch {
            guard case ObjectStoreError.s3(let s3) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(s3.status == 503)
        }
        #expect(server.count == 3)
    }

    @Test("a kept-alive connection the server closed meanwhile: the request goes again on a fresh one")
    func staleConnection() throws {
        let server = try ScriptedServer([Self.ok, nil, Self.ok])
        defer { server.stop() }
        let client = try Self.client(server, attempts: 1)
        _ = try client.retention(name: "k", versionID: "v1")
        // attempts: 1 — no retry: only the stale connection's own fresh attempt gets it through.
        #expect(try client.retention(name: "k", versionID: "v1").mode == .compliance)
        #expect(server.count == 3)
    }
}
