import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Glibc
import HTTPServer
import JCS
import PgBackRest
import Postgres
import Testing

/// `backup run|flush|ingest` with the real programs: PostgreSQL 15 archiving into a pgBackRest
/// 2.45 stanza on an encrypted posix repository, the wrapper binary, and our database living in
/// that same cluster (as in production, where the server reads the archiver of the database it
/// protects).
@Suite(.serialized) struct BackupRunLiveTests {
    /// The stanza and our migrated database, created once for the suite.
    struct Setup: Sendable {
        let fixture: PgBackRestFixture
        let url: String
        let spool: String
    }

    static let setup = Task { () throws -> Setup in
        let fixture = try await PgBackRestFixture.start()
        _ = try await Blocking.run { try fixture.cluster.psql("CREATE DATABASE compliance") }
        let url = fixture.cluster.url(database: "compliance")
        let migrate = try await TestBinary.run(["migrate", "--migrations-dir", TestEnvironment.migrationsDirectory],
                                               environment: ["DATABASE_URL": url])
        guard migrate.status == 0 else { throw HarnessError("migrate failed: \(migrate.stderr)") }
        let created = try await TestBinary.run(["backup", "run", "--type", "stanza-create", "--spool", fixture.directory + "/events.jsonl", "--"]
                                               + fixture.command(["stanza-create"]), environment: ["DATABASE_URL": url])
        guard created.status == 0 else { throw HarnessError("stanza-create through the wrapper failed: \(created.stdout) \(created.stderr)") }
        return Setup(fixture: fixture, url: url, spool: fixture.directory + "/events.jsonl")
    }

    func wrap(_ s: Setup, _ type: String, _ arguments: [String], url: String? = nil, spool: String? = nil,
              environment: [String: String] = [:]) async throws -> ProcessRunner.Outcome {
        var env = environment
        env["DATABASE_URL"] = url ?? s.url
        return try await TestBinary.run(["backup", "run", "--type", type, "--spool", spool ?? s.spool, "--"] + s.fixture.command(arguments),
                                        environment: env)
    }

    func events(_ s: Setup, run: String? = nil) async throws -> [BackupEvent] {
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        defer { Task { await pool.close() } }
        return try await pool.withConnection { try await BackupAuditStore().events(afterSeq: 0, limit: 10_000, on: $0) }
            .filter { run == nil || $0.runID == run }
    }

    /// The newest run's two events (started, outcome).
    func lastRun(_ s: Setup) async throws -> (started: BackupEvent, outcome: BackupEvent) {
        let all = try await events(s)
        let outcome = try #require(all.last)
        let started = try #require(all.first { $0.runID == outcome.runID && $0.status == .started })
        return (started, outcome)
    }

    @Test("full and diff backups through the wrapper: succeeded events whose label and sizes equal pgbackrest info")
    func fullAndDiff() async throws {
        let s = try await Self.setup.value
        for type in ["full", "diff"] {
            let r = try await wrap(s, type, ["--type=\(type)", "backup"])
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("backup command end: completed successfully"), "the command's output passes through")
            let (started, outcome) = try await lastRun(s)
            #expect(started.type.rawValue == "backup_\(type)" && outcome.status == .succeeded && outcome.exitCode == 0)
            let info = try PgBackRestInfo(json: Array(try await s.fixture.infoJSON().utf8))
            let listed = try #require(info.stanzas.first?.backups.last)
            #expect(listed.annotations["audit_event_id"] == started.eventID, "the annotation joins info to our record")
            #expect(outcome.label == listed.label && outcome.type.rawValue == "backup_\(listed.type)")
            #expect(outcome.sizeBytes == listed.size && outcome.deltaBytes == listed.delta)
            #expect(outcome.repoSizeBytes == listed.repoSize && outcome.repoDeltaBytes == listed.repoDelta)
            #expect(outcome.walStart == listed.walStart && outcome.walStop == listed.walStop && outcome.lsnStart == listed.lsnStart)
            #expect(outcome.stanza == "demo" && outcome.host != nil && outcome.startedAt == started.occurredAt)
            #expect(outcome.details.contains("--annotation=audit_event_id=") == false, "details hold the command as given")
            // What the database held when the backup began, for judging a restore of it (dr check).
            let details = try JSONParser.parse(Array(started.details.utf8))
            let fingerprint = try #require(details["fingerprint"].flatMap(DatabaseFingerprint.init(json:)), "\(started.details)")
            #expect(fingerprint.counts.keys.sorted() == DatabaseFingerprint.tables.sorted() && fingerprint.migration > 0)
        }
    }

    @Test("a wrong cipher pass (29) and a held lock (50) are failed events with that exit code and error line")
    func failures() async throws {
        let s = try await Self.setup.value
        let wrong = try await wrap(s, "full", ["--type=full", "backup"], environment: ["PGBACKREST_REPO1_CIPHER_PASS": "wrong-pass"])
        #expect(wrong.status == 29, "\(wrong.stderr)")
        var (_, outcome) = try await lastRun(s)
        #expect(outcome.status == .failed && outcome.exitCode == 29 && outcome.label == nil)
        #expect(outcome.errorMessage?.hasPrefix("ERROR: [029]:") == true, "\(outcome.errorMessage ?? "nil")")

        // Hold the stanza's backup lock the way pgBackRest does (flock on <lock-path>/demo-backup.lock).
        let lockPath = s.fixture.lockDirectory + "/demo-backup.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o640)
        #expect(fd >= 0)
        defer { close(fd) }
        _ = fchown(fd, Self.postgresUID, Self.postgresGID)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let locked = try await wrap(s, "diff", ["--type=diff", "backup"])
        flock(fd, LOCK_UN)
        #expect(locked.status == 50, "\(locked.stderr)")
        (_, outcome) = try await lastRun(s)
        #expect(outcome.status == .failed && outcome.exitCode == 50 && outcome.type == .backupDiff)
        #expect(outcome.errorMessage?.hasPrefix("ERROR: [050]: unable to acquire lock") == true, "\(outcome.errorMessage ?? "nil")")
    }

    /// A SQL string literal (test setup only; the value is our own configuration).
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    static var postgresUID: uid_t { getpwnam("postgres")?.pointee.pw_uid ?? 0 }
    static var postgresGID: gid_t { getpwnam("postgres")?.pointee.pw_gid ?? 0 }

    @Test("our database down: the backup still runs, its events are spooled and delivered later, exactly once")
    func spoolWhileDown() async throws {
        let s = try await Self.setup.value
        let spool = s.fixture.directory + "/down.jsonl"
        let before = try await events(s).count
        let down = "postgresql://postgres@127.0.0.1:\(try TestCluster.freePort())/compliance?connect_timeout=2"
        let r = try await wrap(s, "incr", ["--type=incr", "backup"], url: down, spool: spool)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("spooled"))
        let lines = try String(contentsOfFile: spool, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try await events(s).count == before, "nothing reached the database")
        let saved = try String(contentsOfFile: spool, encoding: .utf8)

        // The next run delivers the spool first, then its own events: order kept.
        let next = try await wrap(s, "check", ["check"], spool: spool)
        #expect(next.status == 0, "\(next.stderr)")
        var all = try await events(s)
        #expect(all.count == before + 4)
        let delivered = Array(all.suffix(4))
        #expect(delivered.map(\.type) == [.backupIncr, .backupIncr, .check, .check])
        #expect(delivered.map(\.status) == [.started, .succeeded, .started, .succeeded])
        #expect(delivered[1].label != nil && delivered[1].sizeBytes != nil, "info was read although our database was down")
        #expect(try String(contentsOfFile: spool, encoding: .utf8).isEmpty)

        // A delivery repeated (e.g. cut short before the spool was emptied) adds nothing.
        try saved.write(toFile: spool, atomically: false, encoding: .utf8)
        let flush = try await TestBinary.run(["backup", "flush", "--spool", spool], environment: ["DATABASE_URL": s.url])
        #expect(flush.status == 0 && flush.stderr.contains("delivered 2 events"), "\(flush.stderr)")
        all = try await events(s)
        #expect(all.count == before + 4)
        let empty = try await TestBinary.run(["backup", "flush", "--spool", spool], environment: ["DATABASE_URL": s.url])
        #expect(empty.status == 0 && empty.stderr.contains("delivered 0 events"))
        // flush with the database down: exit 1, one line, spool untouched
        try saved.write(toFile: spool, atomically: false, encoding: .utf8)
        let failed = try await TestBinary.run(["backup", "flush", "--spool", spool], environment: ["DATABASE_URL": down])
        #expect(failed.status == 1 && failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")
        #expect(try String(contentsOfFile: spool, encoding: .utf8) == saved)
        try "".write(toFile: spool, atomically: false, encoding: .utf8)
    }

    @Test("backup ingest backfills a backup made outside the wrapper; the same info twice adds nothing")
    func ingest() async throws {
        let s = try await Self.setup.value
        let direct = try await Blocking.run { try ProcessRunner.run(s.fixture.command(["--type=incr", "backup"])) }
        #expect(direct.status == 0, "\(direct.stderr)")
        let info = s.fixture.directory + "/info.json"
        try (try await s.fixture.infoJSON()).write(toFile: info, atomically: true, encoding: .utf8)
        let before = try await events(s).count
        let first = try await TestBinary.run(["backup", "ingest", "--info-json", info], environment: ["DATABASE_URL": s.url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("1 added"), "\(first.stderr)")
        let added = try #require(try await events(s).last)
        let listed = try #require(try PgBackRestInfo(json: Array(try String(contentsOfFile: info, encoding: .utf8).utf8)).stanzas[0].backups.last)
        #expect(added.label == listed.label && added.type == .backupIncr && added.status == .succeeded && added.sizeBytes == listed.size)
        #expect(added.occurredAt == listed.stop && added.details.contains("pgbackrest info"))
        let second = try await TestBinary.run(["backup", "ingest", "--info-json", info], environment: ["DATABASE_URL": s.url])
        #expect(second.status == 0 && second.stderr.contains("0 added"), "\(second.stderr)")
        #expect(try await events(s).count == before + 1)
        // garbage and an unhealthy stanza: clear errors
        let garbage = try await TestBinary.run(["backup", "ingest", "--info-json", "-"], environment: ["DATABASE_URL": s.url])
        #expect(garbage.status == 1 && garbage.stderr.contains("not JSON"), "\(garbage.stderr)")
        let wrongPass = try await TestBinary.run(
            ["backup", "ingest", "--pgbackrest", "/usr/bin/pgbackrest", "--stanza", "demo"],
            environment: ["DATABASE_URL": s.url, "PGBACKREST_CONFIG": s.fixture.configPath, "PGBACKREST_REPO1_CIPHER_PASS": "wrong"])
        #expect(wrongPass.status == 1 && wrongPass.stderr.contains("status 99"), "\(wrongPass.stderr)")
        #expect(try await events(s).count == before + 1)
    }

    @Test("after the backups, /api/metrics and worm-status show the new times")
    func metricsAndStatus() async throws {
        let s = try await Self.setup.value
        let r = try await wrap(s, "full", ["--type=full", "backup"])
        #expect(r.status == 0, "\(r.stderr)")
        let (_, outcome) = try await lastRun(s)
        let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 2)
        let (token, _) = try await pool.withConnection {
            try await TokenStore(hasher: hasher).create(name: "viewer-live", role: .viewer, organization: nil, expiresAt: nil, on: $0)
        }
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        let port = server.port
        let metrics = try await RawHTTPClient.exchangeGET(port: port, "/api/metrics").bodyText
        #expect(metrics.contains("pgbackrest_backup_last_full_timestamp{stanza=\"demo\"} \(outcome.occurredAt.secondsSinceEpoch)"), "\(metrics.prefix(2000))")
        #expect(metrics.contains("pgbackrest_backup_size_bytes{stanza=\"demo\"} \(outcome.sizeBytes ?? -1)"))
        #expect(metrics.contains("pgbackrest_wal_archiving_up 1"))
        let status = try await RawHTTPClient.exchangeGET(port: port, "/api/compliance/worm-status",
                                                         headers: "Authorization: Bearer \(token)\r\n")
        let body = try JSONParser.parse(status.body)
        let full = body["controls"]?.array?.first { $0["id"]?.string == "full_backup" }
        #expect(full?["status"]?.string == "ok" && full?["evidence"]?["event_id"]?.string == outcome.eventID, "\(status.bodyText.prefix(1500))")
        await server.shutdown()
        await pool.close()
    }

    @Test("archive_command failures in pg_stat_archiver become wal_archive events; the recovery is recorded once")
    func walArchiveFailures() async throws {
        let s = try await Self.setup.value
        let pool = ConnectionPool(configuration: .init(url: s.url), size: 1)
        let monitor = WalArchiveMonitor()
        try await pool.withConnection { c in
            _ = try await monitor.check(on: c)
            let original = try await c.query("SELECT setting FROM pg_settings WHERE name = 'archive_command'").single().decode(String.self, "setting")
            let failedBefore = try await c.query("SELECT failed_count FROM pg_stat_archiver").single().decode(Int64.self, "failed_count")
            try await c.execute("ALTER SYSTEM SET archive_command = 'false'")
            try await c.execute("SELECT pg_reload_conf()")
            try await Task.sleep(for: .milliseconds(300))
            try await c.execute("CREATE TABLE IF NOT EXISTS wal_churn (x int)")
            try await c.execute("INSERT INTO wal_churn SELECT 1")
            try await c.execute("SELECT pg_switch_wal()")
            var failedNow = failedBefore
            let deadline = ContinuousClock.now + .seconds(30)
            while failedNow <= failedBefore, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                failedNow = try await c.query("SELECT failed_count FROM pg_stat_archiver").single().decode(Int64.self, "failed_count")
            }
            #expect(failedNow > failedBefore, "the archiver never failed")
            let written = try await monitor.check(on: c)
            #expect(written.count == 1 && written[0].type == .walArchive && written[0].status == .failed, "\(written)")
            #expect(written.first?.errorMessage?.contains("archive_command failed") == true)
            #expect(try await monitor.check(on: c).isEmpty, "the same failures are recorded once")
            let evidence = try await ComplianceEvidenceStore().gather(on: c, now: Timestamp(Date()))
            let wal = WormStatus(evidence: evidence, thresholds: ControlThresholds(), now: Timestamp(Date()))
                .controls.first { $0.id == "wal_archive_lag" }
            #expect(wal?.status == .warning && wal?.evidence?.eventID == written.first?.eventID, "\(String(describing: wal))")

            try await c.execute(Query(unsafeSQL: "ALTER SYSTEM SET archive_command = \(Self.literal(original))"))
            try await c.execute("SELECT pg_reload_conf()")
            try await Task.sleep(for: .milliseconds(300))
            try await c.execute("SELECT pg_switch_wal()")
            var recovered: [BackupEvent] = []
            let until = ContinuousClock.now + .seconds(90)
            while recovered.isEmpty, ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(500))
                recovered = try await monitor.check(on: c).filter { $0.status == .succeeded }
            }
            #expect(recovered.count == 1 && recovered.first?.type == .walArchive, "archiving did not recover")
            #expect(try await monitor.check(on: c).filter { $0.status == .succeeded }.isEmpty)
        }
        await pool.close()
    }
}
