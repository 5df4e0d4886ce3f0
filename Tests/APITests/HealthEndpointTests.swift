import API
import ComplianceTesting
import Foundation
import HTTPRouting
import HTTPServer
import Postgres
import Testing

/// `/health` and `/health/ready` through the real server, with a PostgreSQL cluster of their own
/// that the test stops and starts.
@Suite(.serialized) struct HealthEndpointTests {
    @Test("/health answers from memory; /health/ready follows the database down and back up")
    func readiness() async throws {
        let cluster = try await TestCluster.start()
        let pool = ConnectionPool(configuration: .init(url: cluster.url(), connectTimeoutSeconds: 2, statementTimeout: .seconds(2)),
                                  size: 1, checkoutTimeout: .seconds(2))
        let application = APIServer.makeApplication(
            .init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: nil, pool: pool)), corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: application)
        server.start()
        let port = server.port

        let live = try await get(port, "/health")
        #expect(live.status == 200 && live.bodyText == #"{"status":"ok"}"# && live.header("Cache-Control") == "no-store")
        let head = try await RawHTTPClient.offload { () -> RawHTTPClient.Response in
            let c = try RawHTTPClient(port: port)
            try c.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n")
            return try c.readResponse(head: true)
        }
        #expect(head.status == 200 && head.header("Content-Length") == "15")

        let ready = try await get(port, "/health/ready")
        #expect(ready.status == 200 && ready.bodyText.contains(#""status":"ready""#))

        try await cluster.stopServer()
        let started = Date()
        let down = try await get(port, "/health/ready")
        #expect(down.status == 503)
        #expect(down.header("Content-Type") == "application/problem+json")
        #expect(down.bodyText.contains("not_ready") && !down.bodyText.contains("Connection refused"))
        #expect(Date().timeIntervalSince(started) < 4)
        // liveness does not depend on the database
        #expect(try await get(port, "/health").status == 200)

        try await cluster.startServer()
        var recovered = false
        for _ in 0..<20 where !recovered {
            recovered = try await get(port, "/health/ready").status == 200
            if !recovered { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(recovered)
        await server.shutdown()
        await pool.close()
        await cluster.shutdown()
    }

    func get(_ port: Int, _ path: String) async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.offload {
            let c = try RawHTTPClient(port: port)
            try c.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            return try c.readResponse(timeout: 10)
        }
    }
}

/// `immoflow-compliance serve` as a process: listens, serves, exits 0 on SIGTERM.
@Suite(.serialized) struct ServeCommandTests {
    @Test("serve answers /health, logs JSON lines, and stops gracefully with exit 0 on SIGTERM")
    func sigterm() async throws {
        let port = try TestCluster.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
        let pid = try ProcessRunner.spawn([try TestBinary.path(), "serve", "--port", String(port), "--access-log-exclude", "/health/ready"],
                                          environment: environment, logPath: log)
        var answered = false
        for _ in 0..<100 where !answered {
            try await Task.sleep(for: .milliseconds(100))
            answered = (try? await RawHTTPClient.offload { () -> Bool in
                let c = try RawHTTPClient(port: port)
                try c.send("GET /health HTTP/1.1\r\nHost: t\r\nX-Request-Id: probe-1\r\n\r\n")
                return try c.readResponse().status == 200
            }) ?? false
        }
        #expect(answered)
        let live = try await RawHTTPClient.offload { () -> Int in
            let c = try RawHTTPClient(port: port)
            try c.send("GET /health/ready HTTP/1.1\r\nHost: t\r\nX-Request-Id: probe-excluded\r\n\r\n")
            return try c.readResponse().status
        }
        #expect(live == 503)  // the database is down
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let reaped = await eventually(within: 15) { waitpid(pid, &status, WNOHANG) == pid }
        #expect(reaped)
        #expect((status >> 8) & 0xff == 0 && status & 0x7f == 0, "exit status \(status)")
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // The access log: one JSON object per line, numbers as numbers; the excluded path absent.
        let line = try #require(output.split(separator: "\n").first { $0.contains(#""request_id":"probe-1""#) })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["status"] as? Int == 200 && fields["method"] as? String == "GET" && fields["target"] as? String == "/health")
        #expect(fields["route"] as? String == "/health" && fields["bytes"] as? Int != nil && fields["duration_us"] as? Int != nil)
        #expect((fields["remote"] as? String)?.hasPrefix("127.0.0.1:") == true && fields["logger"] as? String == "access")
        #expect(!output.contains("probe-excluded"))
        #expect(output.contains("SIGTERM, shutting down") && output.contains("serve: stopped"))
    }

    @Test("--version prints the build's version alone, exit 0")
    func version() async throws {
        let r = try await TestBinary.run(["--version"])
        #expect(r.status == 0 && r.stdout == BuildInfo.version + "\n" && r.stderr.isEmpty)
    }

    @Test("bad flags and a port in use: one line, non-zero exit")
    func badInput() async throws {
        let bad = try await TestBinary.run(["serve", "--port", "70000", "--database-url", "postgresql://x@127.0.0.1:1/y"])
        #expect(bad.status == 64 && bad.stderr.split(separator: "\n").count == 1)
        let exclude = try await TestBinary.run(["serve", "--port", "0", "--access-log-exclude", "health",
                                                "--database-url", "postgresql://x@127.0.0.1:1/y"])
        #expect(exclude.status == 64 && exclude.stderr.contains("--access-log-exclude"), "\(exclude.stderr)")
        // thresholds: a bad flag or environment value is a usage error naming it, before listening
        let threshold = try await TestBinary.run(["serve", "--port", "0", "--threshold", "full_backup=1w",
                                                  "--database-url", "postgresql://x@127.0.0.1:1/y"])
        #expect(threshold.status == 64 && threshold.stderr.contains("threshold 'full_backup=1w'"), "\(threshold.stderr)")
        let fromEnvironment = try await TestBinary.run(["serve", "--port", "0", "--database-url", "postgresql://x@127.0.0.1:1/y"],
                                                       environment: ["IMMOFLOW_THRESHOLDS": "diff_backup=2h,nightly=1d"])
        #expect(fromEnvironment.status == 64 && fromEnvironment.stderr.contains("unknown control"), "\(fromEnvironment.stderr)")
        // clock skew: a duration of at most an hour, from the flag or the environment
        for (arguments, environment) in [(["--clock-skew", "2h"], [String: String]()), (["--clock-skew", "0s"], [:]),
                                         ([], ["IMMOFLOW_CLOCK_SKEW": "soon"])] {
            let skew = try await TestBinary.run(["serve", "--port", "0", "--database-url", "postgresql://x@127.0.0.1:1/y"] + arguments,
                                                environment: environment)
            #expect(skew.status == 64 && skew.stderr.contains("--clock-skew") && skew.stderr.split(separator: "\n").count == 1,
                    "\(arguments) \(environment): \(skew.stderr)")
        }
        let busy = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: Application(router: Router()))
        let inUse = try await TestBinary.run(["serve", "--port", String(busy.port), "--database-url", "postgresql://x@127.0.0.1:1/y"])
        #expect(inUse.status == 1)
        #expect(inUse.stderr.contains("cannot listen") && inUse.stderr.contains("Address already in use"))
    }
}
