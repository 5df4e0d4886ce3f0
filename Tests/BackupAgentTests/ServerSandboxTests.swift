import ComplianceTesting
import Foundation
import Glibc
import Testing

/// The server under its unit's sandbox, as far as it can be reproduced without systemd as PID 1:
/// the unit's own `SystemCallFilter=` lines expanded by `systemd-analyze syscall-filter` into a
/// seccomp allow-list (EPERM for everything else, as `SystemCallErrorNumber=EPERM`), the
/// `MemoryDenyWriteExecute=` rules as a second filter, no capabilities, no new privileges, a
/// non-root user, the secrets as files (what `LoadCredential=` hands over). The server must start,
/// answer, build and sign an export package, and drain on SIGTERM within `TimeoutStopSec`.
@Suite(.serialized) struct ServerSandboxTests {
    static let root = DeployFilesTests.root

    /// Execs its arguments under two seccomp filters (python3-seccomp, libseccomp's bindings).
    static let launcher = """
        import errno, json, os, sys, seccomp
        spec = json.load(open(sys.argv[1]))
        # MemoryDenyWriteExecute first: once the allow-list is loaded, seccomp(2) itself is denied
        if spec["memory_deny_write_execute"]:
            # systemd.exec(5): no mapping both writable and executable, no pages made executable later
            mdwe = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
            W, X = 0x2, 0x4
            mdwe.add_rule(seccomp.ERRNO(errno.EPERM), "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, W | X, W | X))
            mdwe.add_rule(seccomp.ERRNO(errno.EPERM), "mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, X, X))
            mdwe.add_rule(seccomp.ERRNO(errno.EPERM), "pkey_mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, X, X))
            mdwe.load()
        allow = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
        for name in sorted(set(spec["allow"]) - set(spec["deny"])):
            try:
                allow.add_rule(seccomp.ALLOW, name)
            except Exception:
                pass  # a name this architecture does not have
        allow.load()
        os.execv(sys.argv[2], sys.argv[2:])
        """

    /// The unit's filter: allowed and denied system calls, groups expanded.
    static func filterSpec() async throws -> [String: Any] {
        let unit = try String(contentsOfFile: root + "/deploy/systemd/immoflow-compliance.service", encoding: .utf8)
        let listing = try await DeployFilesTests.systemdAnalyze(["syscall-filter"])
        guard listing.status == 0 else { throw HarnessError("systemd-analyze syscall-filter: \(listing.stderr)") }
        var groups: [String: [String]] = [:], current: String?
        for line in listing.stdout.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("@") { current = String(line); groups[String(line)] = [] }
            else if let c = current, !text.isEmpty, !text.hasPrefix("#") { groups[c]!.append(text) }
        }
        func expand(_ entry: String, _ seen: inout Set<String>) -> Set<String> {
            guard entry.hasPrefix("@") else { return [entry] }
            guard seen.insert(entry).inserted else { return [] }
            return (groups[entry] ?? []).reduce(into: Set<String>()) { $0.formUnion(expand($1, &seen)) }
        }
        var allow = Set<String>(), deny = Set<String>()
        for line in unit.split(separator: "\n") where line.hasPrefix("SystemCallFilter=") {
            let value = line.dropFirst("SystemCallFilter=".count)
            let negated = value.hasPrefix("~")
            for entry in value.drop { $0 == "~" }.split(separator: " ") {
                var seen = Set<String>()
                let names = expand(String(entry), &seen)
                if negated { deny.formUnion(names) } else { allow.formUnion(names) }
            }
        }
        guard !allow.isEmpty, groups["@default"] != nil else { throw HarnessError("no SystemCallFilter= allow-list in the unit") }
        var seen = Set<String>()
        allow.formUnion(expand("@default", &seen))   // systemd always allows @default with an allow-list
        #expect(deny.contains("setpriority") && deny.contains("chown") && !allow.subtracting(deny).contains("setpriority"))
        return ["allow": allow.sorted(), "deny": deny.sorted(), "memory_deny_write_execute": unit.contains("\nMemoryDenyWriteExecute=yes\n")]
    }

    static func sandboxed(_ command: [String], spec: String, launcher: String) -> [String] {
        ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--bounding-set=-all", "--inh-caps=-all",
         "--no-new-privs", "/usr/bin/python3", launcher, spec] + command
    }

    @Test("the unit's filters are real: a call they deny fails with EPERM, a writable+executable mapping is refused")
    func filtersBite() async throws {
        let dir = try ServerInstallTests.scratch("sandbox-probe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try await Self.filterSpec()
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: dir + "/spec.json"))
        try Self.launcher.write(toFile: dir + "/launch.py", atomically: false, encoding: .utf8)
        _ = chmod(dir, 0o755)
        let probe = """
            import errno, mmap, os
            try:
                os.setpriority(os.PRIO_PROCESS, 0, 5); print("setpriority allowed")
            except OSError as e: print("setpriority", errno.errorcode[e.errno])
            try:
                mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC); print("wx allowed")
            except OSError as e: print("wx", errno.errorcode[e.errno])
            print("uid", os.getuid())
            """
        try probe.write(toFile: dir + "/probe.py", atomically: false, encoding: .utf8)
        let r = try await Blocking.run {
            try ProcessRunner.run(Self.sandboxed(["/usr/bin/python3", dir + "/probe.py"], spec: dir + "/spec.json", launcher: dir + "/launch.py"))
        }
        #expect(r.stdout.contains("setpriority EPERM") && r.stdout.contains("wx EPERM") && !r.stdout.contains("uid 0"),
                "\(r.stdout)\(r.stderr) — python3-seccomp installed? (tools/test.sh installs it)")
    }

    @Test("under the unit's filters, non-root, without capabilities: the server starts, answers, builds and signs a package, and drains on SIGTERM within TimeoutStopSec")
    func serverRunsSandboxed() async throws {
        let db = try await TestEnvironment.shared.migratedDatabase("sandbox")
        let dir = try ServerInstallTests.scratch("sandbox")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // what LoadCredential= would hand over: private copies readable by the service user only
        let credentials = dir + "/credentials", exports = dir + "/exports"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        for command in [["openssl", "rand", "-base64", "-out", credentials + "/token-pepper", "48"],
                        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", credentials + "/signing-key"]] {
            let r = try await Blocking.run { try ProcessRunner.run(command) }
            #expect(r.status == 0, "\(r.stderr)")
        }
        let spec = try await Self.filterSpec()
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: dir + "/spec.json"))
        try Self.launcher.write(toFile: dir + "/launch.py", atomically: false, encoding: .utf8)
        let chown = try await Blocking.run { try ProcessRunner.run(["/bin/chown", "-R", "postgres:postgres", credentials, exports]) }
        #expect(chown.status == 0)
        _ = chmod(credentials, 0o700)
        _ = chmod(dir, 0o755)
        let secrets = ["IMMOFLOW_TOKEN_PEPPER_FILE": credentials + "/token-pepper", "IMMOFLOW_SIGNING_KEY_FILE": credentials + "/signing-key"]
        let demo = try await TestBinary.run(["demo-data", "--organizations", "1", "--audit-logs", "200", "--months", "3"], environment: ["DATABASE_URL": db.url])
        #expect(demo.status == 0, "\(demo.stderr)")
        let token = try await TestBinary.run(["token", "create", "--name", "sandbox", "--role", "admin"], environment: ["DATABASE_URL": db.url].merging(secrets) { $1 })
        #expect(token.status == 0, "\(token.stderr)")
        let admin = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let port = try TestCluster.freePort()
        let binary = try TestBinary.path()
        let pid = try ProcessRunner.spawn(Self.sandboxed([binary, "serve", "--port", String(port), "--drain-timeout", "10", "--export-directory", exports],
                                                         spec: dir + "/spec.json", launcher: dir + "/launch.py"),
                                          environment: ["DATABASE_URL": db.url, "PATH": "/usr/bin:/bin"].merging(secrets) { $1 }, logPath: dir + "/server.log")
        var exited = false
        defer { if !exited { ProcessRunner.kill(pid) } }
        let up = await RawHTTPClient.awaitStatus(port: port, "/health/ready")
        let log = { (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? "" }
        #expect(up, "the sandboxed server did not become ready: \(log().suffix(2000))")
        guard up else { return }
        let auth = "Authorization: Bearer \(admin)\r\n"
        #expect(try await RawHTTPClient.exchangeGET(port: port, "/api/compliance/worm-status", headers: auth).status == 200)
        #expect(try await RawHTTPClient.exchangeGET(port: port, "/api/metrics").status == 200)
        // an export: threads, zlib, SHA-256, the Ed25519 signature, files in the export directory
        let organization = try await Blocking.run {
            try ProcessRunner.run(["/bin/sh", "-c", "psql -XAt -d \"$0\" -c 'SELECT id FROM organizations LIMIT 1'", db.url])
        }.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var month = Calendar(identifier: .gregorian)
        month.timeZone = TimeZone(identifier: "UTC")!
        let start = month.date(byAdding: .month, value: -1, to: month.date(from: month.dateComponents([.year, .month], from: Date()))!)!
        let end = month.date(byAdding: .day, value: -1, to: month.date(byAdding: .month, value: 1, to: start)!)!
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let body = #"{"organization_id":"\#(organization)","from":"\#(day.string(from: start))","to":"\#(day.string(from: end))"}"#
        let created = try await RawHTTPClient.exchange(port: port, "POST /api/compliance/exports HTTP/1.1\r\nHost: t\r\n\(auth)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(created.status == 202, "\(created.bodyText)")
        let location = created.header("Location") ?? ""
        var state = ""
        for _ in 0..<200 where state == "" || state == "queued" || state == "running" {
            try await Task.sleep(for: .milliseconds(100))
            let r = try await RawHTTPClient.exchangeGET(port: port, location, headers: auth)
            state = ((try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["state"] as? String) ?? ""
        }
        #expect(state == "succeeded", "export \(state): \(log().suffix(2000))")
        let package = try await RawHTTPClient.exchangeGET(port: port, location + "/package", headers: auth)
        #expect(package.status == 200 && package.body.count > 1000)
        #expect(!log().contains("Operation not permitted"), "\(log().suffix(2000))")
        // SIGTERM drains and exits 0 well within TimeoutStopSec (15 s)
        let began = Date()
        kill(pid, SIGTERM)
        var status: Int32 = 0
        var reaped: pid_t = 0
        while Date().timeIntervalSince(began) < 15 {
            reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        exited = reaped == pid
        #expect(exited && (status & 0x7f) == 0 && (status >> 8) & 0xff == 0, "status \(status) after \(Date().timeIntervalSince(began)) s: \(log().suffix(1000))")
    }
}
