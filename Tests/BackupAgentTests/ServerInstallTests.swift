import ComplianceTesting
import Foundation
import Testing

/// deploy/install-server.sh into a scratch prefix, the server's systemd unit checked by
/// systemd-analyze (verify and the security score), and the database roles of
/// deploy/postgresql/roles.sql + grants.sql on a real cluster: the owner migrates with the
/// installed binary and its installed migrations, the application role works and cannot rewrite
/// the evidence.
@Suite(.serialized) struct ServerInstallTests {
    static let root = DeployFilesTests.root

    static func install(_ destination: String, prefix: String = "/opt/immoflow", binary: String? = nil) async throws -> ProcessRunner.Outcome {
        let binary = try binary ?? TestBinary.path()
        return try await Blocking.run {
            try ProcessRunner.run([Self.root + "/deploy/install-server.sh", binary],
                                  environment: ["DESTDIR": destination, "PREFIX": prefix, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        }
    }

    static func scratch(_ label: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("install-server.sh: binary, migrations, openapi.yaml and the DTD under PREFIX, where the binary finds them; secrets 0600 and kept on a second run; the unit rendered")
    func installs() async throws {
        let dest = try Self.scratch("install-server")
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let first = try await Self.install(dest)
        #expect(first.status == 0, "\(first.stderr)")
        let prefix = dest + "/opt/immoflow", share = prefix + "/share/immoflow-compliance"
        let migrations = try FileManager.default.contentsOfDirectory(atPath: share + "/migrations").sorted()
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/migrations").filter { $0.hasSuffix(".sql") }.sorted()
        #expect(migrations == shipped && !shipped.isEmpty)
        for file in ["/openapi.yaml", "/gdpdu/gdpdu-01-09-2004.dtd", "/postgresql/roles.sql", "/postgresql/grants.sql"] {
            #expect(FileManager.default.fileExists(atPath: share + file), "\(file)")
        }
        #expect(try Self.mode(prefix + "/bin/immoflow-compliance") == 0o755)
        let etc = dest + "/etc/immoflow-compliance"
        #expect(try Self.mode(etc + "/token-pepper") == 0o600)
        #expect(try Self.mode(etc + "/signing.pem") == 0o600)
        #expect(try Self.mode(etc + "/server.env") == 0o640)
        let pepper = try String(contentsOfFile: etc + "/token-pepper", encoding: .utf8)
        #expect(pepper.trimmingCharacters(in: .whitespacesAndNewlines).count >= 48)
        let key = try await Blocking.run { try ProcessRunner.run(["openssl", "pkey", "-in", etc + "/signing.pem", "-noout", "-text"]) }
        #expect(key.status == 0 && key.stdout.contains("ED25519"), "\(key.stderr)")
        #expect(!first.stderr.contains(pepper.trimmingCharacters(in: .whitespacesAndNewlines)), "the pepper is never printed")
        // the binary reads the key openssl made (the roles test also signs a package with it)
        let publicKey = try await Blocking.run {
            try ProcessRunner.run([prefix + "/bin/immoflow-compliance", "audit", "public-key"],
                                  environment: ["PATH": "/usr/bin:/bin", "IMMOFLOW_SIGNING_KEY_FILE": etc + "/signing.pem"])
        }
        #expect(publicKey.status == 0 && publicKey.stdout.contains("BEGIN PUBLIC KEY"), "\(publicKey.stdout)\(publicKey.stderr)")
        // (that the installed binary migrates from its installed migrations: the roles test)
        // a second run keeps the secrets and the edited settings
        try "DATABASE_URL=edited\n".write(toFile: etc + "/server.env", atomically: true, encoding: .utf8)
        let second = try await Self.install(dest)
        #expect(second.status == 0)
        #expect(try String(contentsOfFile: etc + "/token-pepper", encoding: .utf8) == pepper)
        #expect(try String(contentsOfFile: etc + "/server.env", encoding: .utf8) == "DATABASE_URL=edited\n")
        let unit = try String(contentsOfFile: dest + "/etc/systemd/system/immoflow-compliance.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/immoflow/bin/immoflow-compliance serve") && !unit.contains("@PREFIX@"))
        // refusals: a relative PREFIX is a usage error, a missing binary cannot be installed
        let relative = try await Self.install(dest, prefix: "opt")
        #expect(relative.status == 64 && relative.stderr.contains("PREFIX"))
        let missing = try await Self.install(dest, binary: dest + "/no-such-binary")
        #expect(missing.status == 1 && missing.stderr.contains("no executable"))
    }

    @Test("the server's unit: systemd-analyze verify passes; hardening scores an exposure of at most 2.0; stop timeout = drain timeout + 5; secrets by LoadCredential")
    func unit() async throws {
        let dest = try Self.scratch("unit")
        defer { try? FileManager.default.removeItem(atPath: dest) }
        #expect(try await Self.install(dest).status == 0)
        // verify needs ExecStart's program to exist: point the copy at the scratch prefix
        let installed = try String(contentsOfFile: dest + "/etc/systemd/system/immoflow-compliance.service", encoding: .utf8)
        let file = dest + "/immoflow-compliance.service"
        try installed.replacingOccurrences(of: "ExecStart=/opt/immoflow/", with: "ExecStart=\(dest)/opt/immoflow/")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let verify = try await DeployFilesTests.systemdAnalyze(["verify", "--man=no", file])
        #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        // --threshold=20 is an exposure of 2.0 (the threshold's scale is ten times the printed one)
        let security = try await DeployFilesTests.systemdAnalyze(["security", "--offline=true", "--threshold=20", file])
        let score = security.stdout.firstMatch(of: /Overall exposure level for immoflow-compliance.service: ([0-9.]+)/).flatMap { Double($0.1) }
        #expect(security.status == 0 && (score ?? 10) <= 2.0, "\(security.stdout.suffix(400))\(security.stderr)")
        for line in ["User=immoflow", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
                     "LoadCredential=token-pepper:", "LoadCredential=signing-key:", "Restart=on-failure", "--drain-timeout 10",
                     "TimeoutStopSec=15\n", "EnvironmentFile=/etc/immoflow-compliance/server.env"] {
            #expect(installed.contains(line), "\(line)")
        }
        #expect(!installed.contains("StandardOutput=") || installed.contains("StandardOutput=journal"), "logs go to journald")
        // systemd's stop timeout covers the server's drain with 5 s to spare
        let drain = installed.firstMatch(of: /--drain-timeout (\d+)/).flatMap { Int($0.1) }
        let stop = installed.firstMatch(of: /\nTimeoutStopSec=(\d+)\n/).flatMap { Int($0.1) }
        #expect(drain != nil && stop == drain.map { $0 + 5 }, "TimeoutStopSec \(stop ?? -1) vs --drain-timeout \(drain ?? -1)")
    }

    @Test("roles.sql + migrate (as owner, installed binary) + grants.sql: the application role creates tokens, verifies chains and exports; it cannot update or delete evidence or create tables")
    func roles() async throws {
        let dest = try Self.scratch("roles")
        defer { try? FileManager.default.removeItem(atPath: dest) }
        #expect(try await Self.install(dest).status == 0)
        let binary = dest + "/opt/immoflow/bin/immoflow-compliance", share = dest + "/opt/immoflow/share/immoflow-compliance"
        let cluster = try await TestCluster.start()
        defer { cluster.stop() }
        func psql(_ user: String, _ arguments: [String], database: String = "immoflow") async throws -> ProcessRunner.Outcome {
            let url = cluster.url(database: database).replacingOccurrences(of: "postgres@", with: "\(user)@")
            return try await Blocking.run {
                try ProcessRunner.run([cluster.binDirectory + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", url] + arguments)
            }
        }
        let roles = try await psql("postgres", ["-f", share + "/postgresql/roles.sql"], database: "postgres")
        #expect(roles.status == 0, "\(roles.stderr)")
        #expect(try await psql("postgres", ["-f", share + "/postgresql/roles.sql"], database: "postgres").status == 0, "roles.sql runs twice")
        let owner = cluster.url(database: "immoflow").replacingOccurrences(of: "postgres@", with: "immoflow_owner@")
        let app = cluster.url(database: "immoflow").replacingOccurrences(of: "postgres@", with: "immoflow_app@")
        func run(_ arguments: [String], _ url: String, _ extra: [String: String] = [:]) async throws -> ProcessRunner.Outcome {
            try await Blocking.run {
                try ProcessRunner.run([binary] + arguments, environment: ["DATABASE_URL": url, "PATH": "/usr/bin:/bin"].merging(extra) { $1 },
                                      workingDirectory: "/")
            }
        }
        // A probe only the installed copy has: migrate must read share/immoflow-compliance/migrations
        // beside the installed binary, not the checkout it was built from.
        try "SELECT 1;\n".write(toFile: share + "/migrations/9999_install_probe.sql", atomically: true, encoding: .utf8)
        let migrate = try await run(["migrate"], owner)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let probe = try await psql("immoflow_owner", ["-c", "SELECT name FROM schema_migrations WHERE version = 9999"])
        #expect(probe.stdout.contains("install_probe"), "the installed migrations were not used: \(probe.stdout)\(probe.stderr)")
        let grants = try await psql("immoflow_owner", ["-f", share + "/postgresql/grants.sql"])
        #expect(grants.status == 0, "\(grants.stderr)")
        let demo = try await run(["demo-data", "--organizations", "1", "--audit-logs", "40", "--months", "2"], owner)
        #expect(demo.status == 0, "\(demo.stderr)")

        let secrets = ["IMMOFLOW_TOKEN_PEPPER_FILE": dest + "/etc/immoflow-compliance/token-pepper",
                       "IMMOFLOW_SIGNING_KEY_FILE": dest + "/etc/immoflow-compliance/signing.pem"]
        let token = try await run(["token", "create", "--name", "ops", "--role", "admin"], app, secrets)
        #expect(token.status == 0 && token.stdout.hasPrefix("imfc_"), "\(token.stderr)")
        let verify = try await run(["audit", "verify"], app, secrets)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let organization = try await psql("immoflow_app", ["-c", "SELECT id FROM organizations LIMIT 1"])
        let export = try await run(["export", "--organization", organization.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                                    "--period", "previous-month", "--output", dest + "/package.tar.gz"], app, secrets)
        #expect(export.status == 0, "\(export.stderr)")
        let revoke = try await run(["token", "revoke", "ops"], app, secrets)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        for sql in ["UPDATE audit_logs SET actor = 'x'", "DELETE FROM audit_logs", "DELETE FROM backup_audit", "TRUNCATE backup_audit",
                    "DELETE FROM audit_chain_head", "DELETE FROM backup_audit_head", "DELETE FROM audit_checkpoints", "CREATE TABLE intruder (id int)"] {
            let r = try await psql("immoflow_app", ["-c", sql])
            #expect(r.status != 0 && r.stderr.contains("permission denied"), "\(sql): \(r.stderr)")
        }
        let count = try await psql("immoflow_app", ["-c", "SELECT count(*) FROM audit_logs"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "40", "no evidence lost: \(count.stdout)")
    }
}
