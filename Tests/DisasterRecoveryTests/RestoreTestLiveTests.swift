import Compliance
import Crypto
import ComplianceStore
import ComplianceTesting
import Foundation
import Glibc
import JCS
import ObjectStoreClient
import Postgres
import Testing

/// `dr restore-test` with real pgBackRest 2.45 and PostgreSQL (docs/pgbackrest.md §2): a full
/// backup through the wrapper (its fingerprint recorded), rows written after it, then restores —
/// to the latest point (the counts equal the source), to a time between two writes (the counts of
/// that time), interrupted by SIGTERM, and from a damaged repository (failed with pgBackRest's
/// error, the metric 0). The scratch cluster is gone afterwards every time.
@Suite(.serialized) struct RestoreTestLiveTests {
    struct Setup: Sendable {
        let fixture: PgBackRestFixture
        let url: String
        let scratch: String
    }

    static let setup = Task { () throws -> Setup in
        let fixture = try await PgBackRestFixture.start()
        _ = try await Blocking.run { try fixture.cluster.psql("CREATE DATABASE books") }
        let url = fixture.cluster.url(database: "books")
        let env = ["DATABASE_URL": url]
        let migrate = try await TestBinary.run(["migrate", "--migrations-dir", TestEnvironment.migrationsDirectory], environment: env)
        guard migrate.status == 0 else { throw HarnessError("migrate failed: \(migrate.stderr)") }
        let demo = try await TestBinary.run(["demo-data", "--organizations", "2", "--months", "2", "--audit-logs", "400", "--days", "3"], environment: env)
        guard demo.status == 0 else { throw HarnessError("demo-data failed: \(demo.stderr)") }
        let spool = fixture.directory + "/events.jsonl"
        for (type, arguments) in [("stanza-create", ["stanza-create"]), ("full", ["--type=full", "backup"])] {
            let r = try await TestBinary.run(["backup", "run", "--type", type, "--spool", spool, "--"] + fixture.command(arguments), environment: env)
            guard r.status == 0 else { throw HarnessError("\(type) failed: \(r.stdout) \(r.stderr)") }
        }
        let scratch = NSTemporaryDirectory() + "restore-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return Setup(fixture: fixture, url: url, scratch: scratch)
    }

    static func restoreTest(_ s: Setup, _ extra: [String]) async throws -> ProcessRunner.Outcome {
        try await TestBinary.run(["dr", "restore-test", "--stanza", s.fixture.stanza, "--pgbackrest-config", s.fixture.configPath, "--database", "books",
                                  "--pg-bin", s.fixture.cluster.binDirectory, "--scratch", s.scratch, "--migrations-dir", TestEnvironment.migrationsDirectory,
                                  "--json"] + extra, environment: ["DATABASE_URL": s.url])
    }

    static func query<T: PostgresDecodable>(_ s: Setup, _ sql: String, as: T.Type = T.self) async throws -> T {
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        defer { Task { await pool.close() } }
        return try await pool.query(Query(unsafeSQL: sql)).single().decode(T.self, at: 0)
    }

    /// Writes `n` audit entries to the first organization (through the chain trigger).
    static func write(_ s: Setup, _ n: Int) async throws {
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        defer { Task { await pool.close() } }
        _ = try await pool.execute(Query(unsafeSQL: """
            INSERT INTO audit_logs (organization_id, actor, action, entity, entity_id, payload)
            SELECT (SELECT min(id::text)::uuid FROM organizations), 'user:1', 'update', 'tenants', g::text, '{"n":' || g || '}'
            FROM generate_series(1, \(n)) g
            """))
    }

    /// Archives the current WAL segment (docs/pgbackrest.md G1: the segment after a target must be in the repository).
    static func archive(_ s: Setup) async throws {
        let command = s.fixture.command(["check"])
        let r = try await Blocking.run { try ProcessRunner.run(command) }
        guard r.status == 0 else { throw HarnessError("pgbackrest check failed: \(r.stderr)") }
    }

    /// No scratch directory and no PostgreSQL of a scratch cluster left.
    static func clean(_ s: Setup) throws {
        let left = try FileManager.default.contentsOfDirectory(atPath: s.scratch)
        #expect(left.isEmpty, "left behind: \(left)")
        let processes = try ProcessRunner.run(["/bin/sh", "-c", "ps -eo args | grep '[i]mmoflow-restore-test-' || true"])
        #expect(processes.stdout.isEmpty, "scratch clusters still running: \(processes.stdout)")
    }

    static func json(_ r: ProcessRunner.Outcome) throws -> JSONValue {
        try JSONParser.parse(Array(r.stdout.utf8))
    }

    @Test("to the latest point: succeeded, the restored counts equal the source's, every phase timed, recorded; the scratch cluster gone")
    func latest() async throws {
        let s = try await Self.setup.value
        try await Self.write(s, 25)
        try await Self.archive(s)
        let r = try await Self.restoreTest(s, [])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let result = try Self.json(r)
        #expect(result["succeeded"] == .bool(true) && result["label"]?.string?.hasSuffix("F") == true, "\(r.stdout)")
        for phase in ["restore_seconds", "recovery_seconds", "checks_seconds", "total_seconds"] { #expect(result["durations"]?[phase] != nil, "\(phase)") }
        let sourceAudit: Int64 = try await Self.query(s, "SELECT count(*) FROM audit_logs")
        let sourceLedger: Int64 = try await Self.query(s, "SELECT count(*) FROM ledger_entries")
        #expect(result["report"]?["counts"]?["audit_logs"]?.integer == sourceAudit && result["report"]?["counts"]?["ledger_entries"]?.integer == sourceLedger)
        let recorded: String = try await Self.query(s, "SELECT status FROM backup_audit WHERE event_type = 'restore_test' ORDER BY seq DESC LIMIT 1")
        #expect(recorded == "succeeded")
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        let metrics = try await pool.withConnection { try await BackupMetricsStore().read(on: $0) }
        await pool.close()
        let stanza = metrics.stanzas.first { $0.name == s.fixture.stanza }
        #expect(stanza?.restoreTestSuccess == 1 && (stanza?.restoreTestSeconds ?? 0) > 0, "the RTO figure behind pgbackrest_restore_test_duration_seconds")
        try Self.clean(s)
    }

    @Test("to a time between two writes: the rows of that time, none after; the restore judged against the backup's fingerprint")
    func pointInTime() async throws {
        let s = try await Self.setup.value
        try await Self.write(s, 10)
        try await Task.sleep(for: .milliseconds(1100))
        let target: String = try await Self.query(s, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        let atTarget: Int64 = try await Self.query(s, "SELECT count(*) FROM audit_logs")
        try await Task.sleep(for: .milliseconds(1100))
        try await Self.write(s, 7)
        try await Self.archive(s)
        let r = try await Self.restoreTest(s, ["--target-time", target])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let result = try Self.json(r)
        #expect(result["report"]?["counts"]?["audit_logs"]?.integer == atTarget, "\(r.stdout)")
        #expect(result["report"]?["expected"]?["source"]?.string?.contains("recorded when backup") == true, "\(r.stdout)")
        try Self.clean(s)
    }

    @Test("interrupted by SIGTERM during the restore: the scratch cluster and its directory are gone, the test recorded failed")
    func interrupted() async throws {
        let s = try await Self.setup.value
        let before: Int64 = try await Self.query(s, "SELECT count(*) FROM backup_audit WHERE event_type = 'restore_test' AND status = 'failed'")
        let binary = try TestBinary.path()
        let log = s.scratch + "/../restore-sigterm-\(UUID().uuidString).log"
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = s.url
        let pid = try ProcessRunner.spawn([binary, "dr", "restore-test", "--stanza", s.fixture.stanza, "--pgbackrest-config", s.fixture.configPath,
                                           "--database", "books", "--pg-bin", s.fixture.cluster.binDirectory, "--scratch", s.scratch,
                                           "--migrations-dir", TestEnvironment.migrationsDirectory], environment: environment, logPath: log)
        // Once the scratch directory exists the restore is under way.
        var seen = false
        for _ in 0..<200 where !seen {
            seen = !((try? FileManager.default.contentsOfDirectory(atPath: s.scratch)) ?? []).isEmpty
            if !seen { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(seen)
        kill(pid, SIGTERM)
        let (exited, status) = try await Blocking.run { () -> (pid_t, Int32) in
            var status: Int32 = 0
            return (waitpid(pid, &status, 0), status)
        }
        #expect(exited == pid && (status >> 8) & 0xff == 1, "exit \(status): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        try Self.clean(s)
        let after: Int64 = try await Self.query(s, "SELECT count(*) FROM backup_audit WHERE event_type = 'restore_test' AND status = 'failed'")
        #expect(after == before + 1)
    }

    @Test("the DR exercise: restore, checks, the API server answering /health, /health/ready and /api/metrics on the restored database, a package exported and verified; the report written and POSTed to the webhook; recorded as dr_exercise")
    func exercise() async throws {
        let s = try await Self.setup.value
        let reports = s.scratch + "/../exercise-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        // A webhook that keeps what it is sent (python3's http.server, one request).
        let received = reports + "-webhook.json"
        let port = try TestCluster.freePort()
        let receiver = try ProcessRunner.spawn(["python3", "-c", """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    open(sys.argv[1], "wb").write(self.rfile.read(int(self.headers["Content-Length"])))
                    self.send_response(200); self.end_headers()
                def log_message(self, *a): pass
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), H).handle_request()
            """, received, String(port)])
        defer { kill(receiver, SIGTERM); var st: Int32 = 0; waitpid(receiver, &st, 0) }
        try await Task.sleep(for: .milliseconds(500))
        let r = try await TestBinary.run(["dr", "exercise", "--stanza", s.fixture.stanza, "--pgbackrest-config", s.fixture.configPath, "--database", "books",
                                          "--pg-bin", s.fixture.cluster.binDirectory, "--scratch", s.scratch, "--migrations-dir", TestEnvironment.migrationsDirectory,
                                          "--report-dir", reports, "--webhook", "http://127.0.0.1:\(port)/hook"], environment: ["DATABASE_URL": s.url])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let report = try String(contentsOfFile: reports + "/report.md", encoding: .utf8)
        for step in ["GET /health", "GET /health/ready", "GET /api/metrics", "export"] { #expect(report.contains("| \(step) | ok |"), "\(step)\n\(report)") }
        #expect(report.hasPrefix("# DR exercise of stanza demo: passed") && report.contains("verify-package valid"))
        let posted = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: received))))
        #expect(posted["text"]?.string?.contains("DR exercise of stanza demo passed") == true, "\(posted)")
        let recorded: String = try await Self.query(s, "SELECT status FROM backup_audit WHERE event_type = 'dr_exercise' ORDER BY seq DESC LIMIT 1")
        #expect(recorded == "succeeded")
        try Self.clean(s)
    }

    /// Runs after the others that restore to the latest point: its checkpoints (signed with a key
    /// only this test pins) stay in the source database.
    @Test("a checkpoint signed after the target lies beyond the restored head: dr check reports it as explained by the restore, and the test passes")
    func checkpointBeyondHead() async throws {
        let s = try await Self.setup.value
        let bucket = try TestBucket.make("restore-checkpoints")
        let server = try SeaweedFS.shared()
        let key = try Ed25519PrivateKey.generate()
        let keyFile = s.scratch + "/../signing-\(UUID().uuidString).pem"
        try key.pkcs8PEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        defer { unlink(keyFile) }
        let worm = ["AWS_ACCESS_KEY_ID": SeaweedFS.adminKey, "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret, "AWS_REGION": "us-east-1",
                    "AWS_ENDPOINT_URL_S3": server.httpURL, "IMMOFLOW_WORM_BUCKET": bucket.configuration.bucket, "IMMOFLOW_SIGNING_KEY_FILE": keyFile,
                    "DATABASE_URL": s.url]
        try await Self.write(s, 5)
        try await Task.sleep(for: .milliseconds(1100))
        let target: String = try await Self.query(s, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        try await Task.sleep(for: .milliseconds(1100))
        try await Self.write(s, 5)
        let checkpoint = try await TestBinary.run(["audit", "checkpoint"], environment: worm)
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        try await Self.archive(s)
        let r = try await TestBinary.run(["dr", "restore-test", "--stanza", s.fixture.stanza, "--pgbackrest-config", s.fixture.configPath, "--database", "books",
                                          "--pg-bin", s.fixture.cluster.binDirectory, "--scratch", s.scratch, "--migrations-dir", TestEnvironment.migrationsDirectory,
                                          "--target-time", target, "--json"], environment: worm)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let chains = try Self.json(r)["report"]?["chains"]?.array ?? []
        #expect(chains.contains { ($0["explained"]?.integer ?? 0) >= 1 && $0["ok"] == .bool(true) }, "\(r.stdout)")
        try Self.clean(s)
    }

    @Test("a damaged repository: failed with pgBackRest's error, exit 2, pgbackrest_restore_test_success 0; nothing left behind")
    func damaged() async throws {
        let s = try await Self.setup.value
        // The backup set's manifest (and its copy) removed: pgBackRest cannot restore it.
        let damage = try await Blocking.run {
            try ProcessRunner.run(["/bin/sh", "-c", "find '\(s.fixture.repoDirectory)/backup' -name 'backup.manifest*' -path '*F/*' -type f | xargs rm -f"])
        }
        #expect(damage.status == 0)
        let r = try await Self.restoreTest(s, [])
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        let result = try Self.json(r)
        #expect(result["succeeded"] == .bool(false) && result["error"]?.string?.contains("pgBackRest restore failed") == true, "\(r.stdout)")
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        let metrics = try await pool.withConnection { try await BackupMetricsStore().read(on: $0) }
        await pool.close()
        #expect(metrics.stanzas.first { $0.name == s.fixture.stanza }?.restoreTestSuccess == 0)
        try Self.clean(s)
    }
}
