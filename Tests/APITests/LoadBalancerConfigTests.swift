import API
import ComplianceTesting
import Foundation
import Glibc
import HTTPServer
import Postgres
import Testing

/// deploy/nginx and deploy/haproxy: both syntax-checked by the real programs (`nginx -t`,
/// `haproxy -c`), and HAProxy run with its probe settings in front of two live servers — one
/// ready, one whose database is unreachable (`/health/ready` 503) — takes the second out of
/// rotation and keeps the metrics inside.
@Suite(.serialized) struct LoadBalancerConfigTests {
    static let root = MonitoringDeployTests.root
    static func read(_ relative: String) throws -> String { try String(contentsOfFile: MonitoringDeployTests.path(relative), encoding: .utf8) }

    static func scratch(_ label: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A ready server and the same application over a database that is not there (/health 200,
    /// /health/ready and every database-backed route 503).
    static func servers(_ label: String) async throws -> (ready: LiveAPI, notReady: LiveAPI) {
        let ready = try LiveAPI.start(pool: try await TestEnvironment.shared.database(label).pool(size: 2))
        let nowhere = ConnectionPool(configuration: .init(url: "postgresql://nobody@/none?host=/nonexistent&connect_timeout=1"), size: 1)
        return (ready, try LiveAPI.start(pool: nowhere))
    }

    /// A throwaway self-signed certificate in `dir` (cert.pem, key.pem).
    static func certificate(in dir: String) async throws {
        let cert = try await Blocking.run {
            try ProcessRunner.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
                                   "-days", "1", "-subj", "/CN=test"])
        }
        guard cert.status == 0 else { throw HarnessError("openssl req failed: \(cert.stderr)") }
    }

    /// The nginx site with its certificate paths pointed into `dir`.
    static func site(_ text: String, certificatesIn dir: String) -> String {
        text.replacingOccurrences(of: "/etc/ssl/certs/immoflow-compliance.pem", with: dir + "/cert.pem")
            .replacingOccurrences(of: "/etc/ssl/private/immoflow-compliance.key", with: dir + "/key.pem")
    }

    @Test("nginx -t accepts the site (inside a minimal nginx.conf, with a throwaway certificate); passive checks and idempotent-only retries")
    func nginx() async throws {
        let dir = try Self.scratch("nginx")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let site = try Self.read("deploy/nginx/immoflow-compliance.conf")
        try Self.site(site, certificatesIn: dir).write(toFile: dir + "/site.conf", atomically: true, encoding: .utf8)
        try "pid \(dir)/nginx.pid;\nerror_log \(dir)/error.log;\nevents {}\nhttp {\n    access_log off;\n    include \(dir)/site.conf;\n}\n"
            .write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        try await Self.certificate(in: dir)
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw HarnessError("nginx is not installed (apt-get install nginx; tools/test.sh installs it)")
        }
        let check = try await Blocking.run { try ProcessRunner.run(["/usr/sbin/nginx", "-t", "-p", dir, "-c", dir + "/nginx.conf"]) }
        #expect(check.status == 0 && check.stderr.contains("test is successful"), "\(check.stdout)\(check.stderr)")
        for line in ["max_fails=3 fail_timeout=10s", "proxy_next_upstream error timeout http_502 http_503;", "location = /health/ready",
                     "location = /api/metrics", "proxy_buffering off;"] {
            #expect(site.contains(line), "\(line)")
        }
        let directives = site.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
        #expect(!directives.contains("non_idempotent"), "a POST (an export) is never retried on another server")
        // a broken copy is refused: the check is real
        try Self.site(site.replacingOccurrences(of: "max_fails=3", with: "max_fails=three"), certificatesIn: dir)
            .write(toFile: dir + "/site.conf", atomically: true, encoding: .utf8)
        let broken = try await Blocking.run { try ProcessRunner.run(["/usr/sbin/nginx", "-t", "-p", dir, "-c", dir + "/nginx.conf"]) }
        #expect(broken.status != 0)
    }

    @Test("nginx with the site in front of a ready and a not-ready server: an idempotent request the not-ready one answers 503 is retried on the other (every answer 200); /api/metrics stays inside")
    func nginxLive() async throws {
        let (ready, notReady) = try await Self.servers("lb-nginx")
        defer { Task { await ready.close(); await notReady.close() } }
        let token = try await ready.token(.operator)
        #expect(try await notReady.get("/api/compliance/worm-status", token).status == 503)

        let dir = try Self.scratch("nginx-live")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try TestCluster.freePort()
        let site = try Self.read("deploy/nginx/immoflow-compliance.conf")
            .replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(port) ssl;")
            .replacingOccurrences(of: "server 127.0.0.1:8080 max_fails=3 fail_timeout=10s;",
                                  with: "server 127.0.0.1:\(ready.server.port) max_fails=3 fail_timeout=10s;")
            .replacingOccurrences(of: "# server 10.0.0.12:8080 max_fails=3 fail_timeout=10s;",
                                  with: "server 127.0.0.1:\(notReady.server.port) max_fails=3 fail_timeout=10s;")
        #expect(site.contains("server 127.0.0.1:\(notReady.server.port)"))
        try Self.site(site, certificatesIn: dir).write(toFile: dir + "/site.conf", atomically: true, encoding: .utf8)
        // one process (no master/worker split), so the test stops exactly what it started, by PID
        try "pid \(dir)/nginx.pid;\nerror_log \(dir)/error.log;\ndaemon off;\nmaster_process off;\nevents {}\nhttp {\n    access_log off;\n    include \(dir)/site.conf;\n}\n"
            .write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        try await Self.certificate(in: dir)
        let nginx = try ProcessRunner.spawn(["/usr/sbin/nginx", "-p", dir, "-c", dir + "/nginx.conf"], logPath: dir + "/nginx.out")
        defer { ProcessRunner.kill(nginx) }
        func get(_ path: String, _ token: String? = nil) async throws -> Int {
            let out = try await Blocking.run {
                try ProcessRunner.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"]
                                      + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + ["https://127.0.0.1:\(port)\(path)"])
            }
            return Int(out.stdout) ?? 0
        }
        var started = false
        for _ in 0..<40 where !started {
            try await Task.sleep(for: .milliseconds(250))
            started = (try? await get("/health")) == 200
        }
        let log = (try? String(contentsOfFile: dir + "/error.log", encoding: .utf8)) ?? ""
        #expect(started, "nginx did not start: \(log.suffix(1500))")
        guard started else { return }
        var statuses: [Int] = []
        for _ in 0..<10 { statuses.append(try await get("/api/compliance/worm-status", token)) }
        #expect(statuses.allSatisfy { $0 == 200 }, "round robin reached the not-ready server and was not retried: \(statuses)")
        #expect(try await get("/api/metrics") == 404)
    }

    @Test("haproxy -c accepts haproxy.cfg; readiness is the check (/health/ready, 200), fall 3 / rise 2 / inter 5s")
    func haproxySyntax() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy") else {
            throw HarnessError("haproxy is not installed (apt-get install haproxy; tools/test.sh installs it)")
        }
        let file = MonitoringDeployTests.path("deploy/haproxy/haproxy.cfg")
        let check = try await Blocking.run { try ProcessRunner.run(["/usr/sbin/haproxy", "-c", "-f", file]) }
        #expect(check.status == 0 && (check.stdout + check.stderr).contains("Configuration file is valid"), "\(check.stdout)\(check.stderr)")
        let text = try Self.read("deploy/haproxy/haproxy.cfg")
        for line in ["http-check send meth GET uri /health/ready", "http-check expect status 200", "inter 5s", "rise 2", "fall 3"] {
            #expect(text.contains(line), "\(line)")
        }
    }

    @Test("HAProxy with haproxy.cfg (faster timings) in front of a ready and a not-ready server: the not-ready one leaves the rotation, every request is answered 200, /api/metrics stays inside")
    func haproxyLive() async throws {
        let (ready, notReady) = try await Self.servers("lb")
        defer { Task { await ready.close(); await notReady.close() } }
        #expect(try await notReady.get("/health/ready", nil).status == 503)

        let dir = try Self.scratch("haproxy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try TestCluster.freePort()
        let config = try Self.read("deploy/haproxy/haproxy.cfg")
            .replacingOccurrences(of: "bind 127.0.0.1:8443", with: "bind 127.0.0.1:\(port)")
            .replacingOccurrences(of: "server app1 127.0.0.1:8080 check", with: "server app1 127.0.0.1:\(ready.server.port) check")
            .replacingOccurrences(of: "# server app2 10.0.0.12:8080 check", with: "server app2 127.0.0.1:\(notReady.server.port) check")
            .replacingOccurrences(of: "inter 5s fastinter 1s downinter 10s", with: "inter 100ms fastinter 100ms downinter 500ms")
        #expect(config.contains("server app2 127.0.0.1:\(notReady.server.port) check") && config.contains("inter 100ms"))
        try config.write(toFile: dir + "/haproxy.cfg", atomically: true, encoding: .utf8)
        let pid = try ProcessRunner.spawn(["/usr/sbin/haproxy", "-db", "-f", dir + "/haproxy.cfg"], logPath: dir + "/haproxy.log")
        defer { ProcessRunner.kill(pid) }
        // app2 fails three checks 100 ms apart: out within a second or two
        var answered: [Int] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            answered = []
            for _ in 0..<12 {
                answered.append((try? await RawHTTPClient.exchangeGET(port: port, "/health/ready").status) ?? 0)
            }
            if answered.allSatisfy({ $0 == 200 }) { break }
        }
        let log = (try? String(contentsOfFile: dir + "/haproxy.log", encoding: .utf8)) ?? ""
        #expect(answered.count == 12 && answered.allSatisfy { $0 == 200 }, "\(answered) \(log.suffix(1500))")
        #expect(log.contains("app2 is DOWN"), "HAProxy marked the not-ready server down: \(log.suffix(1500))")
        // (app1 may flap on a loaded machine; twelve answers of 200 in a row say it was up and app2 out)
        #expect(try await RawHTTPClient.exchangeGET(port: port, "/api/metrics").status == 404)
        #expect(try await RawHTTPClient.exchangeGET(port: port, "/health").status == 200)
    }
}
