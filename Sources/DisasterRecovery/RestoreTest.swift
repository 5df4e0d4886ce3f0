import BackupAgent
import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import Glibc
import JCS
import ObjectStoreClient
import PgBackRest
import Postgres

/// `dr restore-test` (seed §7.3, the weekly restore probe): a real pgBackRest restore into a
/// scratch data directory, a scratch PostgreSQL on it (as the `postgres` user; a Unix socket in the
/// scratch directory only, trust for that socket alone, archiving off: docs/pgbackrest.md G4),
/// recovery to the target and promotion, `dr check` of the restored database, and the scratch
/// cluster stopped and removed — also after a failure or a SIGTERM. Each phase is timed; the total
/// is the measured RTO. Recorded as `restore_test` events (`started`, then `succeeded`/`failed`
/// with the label, target, durations and findings) in the evidence database.
public struct RestoreTest: Sendable {
    public struct Options: Sendable {
        public var stanza: String
        public var repo: Int?
        public var set: String?
        public var targetTime: Timestamp?
        /// Where the scratch directory is made.
        public var scratch: String
        public var port: Int
        public var keep: Bool
        /// The database to check in the restored cluster.
        public var database: String
        public var pgBin: String
        /// pgBackRest and its options before the command (`--config=…`), run as postgres.
        public var pgbackrest: [String]
        public var recoveryTimeout: Duration

        public init(stanza: String, repo: Int?, set: String?, targetTime: Timestamp?, scratch: String, port: Int, keep: Bool, database: String,
                    pgBin: String, pgbackrest: [String], recoveryTimeout: Duration = .seconds(7200)) {
            self.stanza = stanza
            self.repo = repo
            self.set = set
            self.targetTime = targetTime
            self.scratch = scratch
            self.port = port
            self.keep = keep
            self.database = database
            self.pgBin = pgBin
            self.pgbackrest = pgbackrest
            self.recoveryTimeout = recoveryTimeout
        }
    }

    /// What happened.
    public struct Outcome: Sendable {
        public var succeeded: Bool
        /// The backup set restored (from pgBackRest's output), when known.
        public var label: String?
        /// Seconds of the phases: restore, recovery (start to promotion), checks, total.
        public var durations: [(String, Double)]
        public var report: DRReport?
        /// Why it failed (pgBackRest's error, a start that did not come up, an interruption).
        public var error: String?
        /// The scratch directory (kept with --keep, else removed).
        public var directory: String?
        /// Whether the test ran far enough to judge the backup (false: it could not run at all).
        public var judged: Bool
        /// The DR exercise's further steps (none for a restore test).
        public var steps: [ExerciseStep] = []
    }

    /// What a DR exercise does with the restored cluster after the checks, while it runs.
    public typealias Extra = @Sendable (RestoredCluster) async -> [ExerciseStep]

    public let options: Options
    public let evidence: ConnectionPool?
    public let store: S3Client?
    public let keys: [Ed25519PublicKey]
    public let latestMigration: Int
    public let host: String?
    let processes = SystemProcesses()

    public init(options: Options, evidence: ConnectionPool?, store: S3Client?, keys: [Ed25519PublicKey], latestMigration: Int, host: String?) {
        self.options = options
        self.evidence = evidence
        self.store = store
        self.keys = keys
        self.latestMigration = latestMigration
        self.host = host
    }

    func asPostgres(_ command: [String]) -> [String] {
        geteuid() == 0 ? ["runuser", "-u", "postgres", "--"] + command : command
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` (docs/pgbackrest.md G8: always an explicit offset).
    static func target(_ t: Timestamp) -> String {
        let iso = t.rfc3339
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(15)) + "+00"
    }

    /// Runs the test; `type` is the event it is recorded as (`restore_test`, or `dr_exercise`
    /// with `extra` steps run against the restored cluster before it is removed).
    public func run(type: BackupEventType = .restoreTest, extra: Extra? = nil, now: @Sendable () -> Timestamp = { Timestamp(Date()) }) async -> Outcome {
        SignalForwarding.install()
        let runID = UUID().uuidString.lowercased()
        let started = now()
        let clock = ContinuousClock()
        let begin = clock.now
        var details: [String: CanonicalJSON] = ["target_time": options.targetTime.map { .string($0.rfc3339) } ?? .null,
                                                "set": options.set.map(CanonicalJSON.string) ?? .null]
        await record(NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: runID, type: type, status: .started, occurredAt: started,
                                    stanza: options.stanza, repo: options.repo, startedAt: started, host: host, details: CanonicalJSON.object(details).text))
        var outcome = Outcome(succeeded: false, label: nil, durations: [], report: nil, error: nil, directory: nil, judged: false)
        var cleanup: (() async -> Void)?
        do {
            let directory = try makeScratch()
            outcome.directory = directory
            let data = directory + "/data"
            cleanup = { await self.stopAndRemove(directory: directory, data: data) }
            try interrupted()
            // 1. restore
            var arguments = options.pgbackrest + ["--stanza=\(options.stanza)", "--pg1-path=\(data)", "--archive-mode=off", "--log-level-console=info"]
            if let repo = options.repo { arguments.append("--repo=\(repo)") }
            if let set = options.set { arguments.append("--set=\(set)") }
            if let t = options.targetTime { arguments += ["--type=time", "--target=\(Self.target(t))", "--target-action=promote"] }
            arguments.append("restore")
            let phase = clock.now
            let restore = await processes.run(asPostgres(arguments), passThrough: false, timeout: options.recoveryTimeout, keepBytes: 65_536)
            try interrupted()
            outcome.label = Self.label(restore.stdout)
            outcome.durations.append(("restore_seconds", seconds(clock.now - phase)))
            guard restore.exit.succeeded else {
                // pgBackRest's own error judges the backup; a pgBackRest that could not start judges nothing.
                if case .notStarted = restore.exit { outcome.judged = false } else { outcome.judged = true }
                let error = PgBackRestOutput(restore.stdout + "\n" + restore.stderr).lastError ?? String(restore.stderr.suffix(300))
                throw Failure("pgBackRest restore failed (exit \(restore.exit.code)): \(error)")
            }
            // 2. start and recover to the target, then promotion
            let recovery = clock.now
            try prepare(directory: directory, data: data)
            let start = await processes.run(asPostgres([options.pgBin + "/pg_ctl", "-D", data, "-l", directory + "/postgres.log", "-w", "-t", "3600", "-o",
                                                        "-p \(options.port) -c listen_addresses='' -c unix_socket_directories='\(directory)' -c archive_mode=off -c hba_file='\(directory)/pg_hba.conf'",
                                                        "start"]), passThrough: false, timeout: options.recoveryTimeout, keepBytes: 16_384)
            try interrupted()
            guard start.exit.succeeded else {
                outcome.judged = true
                throw Failure("the restored cluster did not start (\(start.exit)): \(Self.tail(directory + "/postgres.log"))")
            }
            let url = "postgresql://postgres@/\(options.database)?host=\(directory)&port=\(options.port)"
            let pool = ConnectionPool(configuration: ConnectionConfiguration(url: url, connectTimeoutSeconds: 5, applicationName: "immoflow-compliance-dr",
                                                                             statementTimeout: .seconds(3600)), size: 2)
            let report: DRReport
            do {
                try await waitForPromotion(pool, deadline: clock.now + options.recoveryTimeout)
                outcome.durations.append(("recovery_seconds", seconds(clock.now - recovery)))
                // 3. checks
                let checks = clock.now
                report = try await RestoreCheck(pool: pool, store: store, keys: keys, latestMigration: latestMigration)
                    .run(database: "\(options.database) restored from stanza \(options.stanza)" + (outcome.label.map { " set \($0)" } ?? ""), expected: nil,
                         restore: RestoreEvidence(eventID: runID, occurredAt: started, targetTime: options.targetTime), now: now())
                outcome.durations.append(("checks_seconds", seconds(clock.now - checks)))
                if let extra {
                    let exercise = clock.now
                    outcome.steps = await extra(RestoredCluster(url: url, directory: directory, pool: pool))
                    outcome.durations.append(("exercise_seconds", seconds(clock.now - exercise)))
                }
                await pool.close()
                try interrupted()
            } catch {
                await pool.close()
                outcome.judged = true
                throw error
            }
            outcome.report = report
            outcome.judged = true
            outcome.succeeded = report.ok && outcome.steps.allSatisfy(\.ok)
            if let failed = outcome.steps.first(where: { !$0.ok }) { outcome.error = "\(failed.name): \(failed.detail)" }
            if !report.ok { outcome.error = "dr check found \(report.findings.count) problem\(report.findings.count == 1 ? "" : "s"): \(report.findings.first!.description)" }
        } catch let failure as Failure {
            outcome.error = failure.message
        } catch {
            outcome.error = "\(error)"
            outcome.judged = outcome.judged || !(error is Interrupted)
        }
        if let cleanup { await cleanup() }
        outcome.durations.append(("total_seconds", seconds(clock.now - begin)))
        details["label"] = outcome.label.map(CanonicalJSON.string) ?? .null
        details["durations"] = .object(Dictionary(uniqueKeysWithValues: outcome.durations.map { ($0.0, .string(String(format: "%.3f", $0.1))) }))
        details["findings"] = .array((outcome.report?.findings ?? []).prefix(20).map { .string($0.description) })
        if extra != nil {
            details["steps"] = .array(outcome.steps.map { .object(["name": .string($0.name), "ok": .bool($0.ok), "detail": .string($0.detail)]) })
        }
        if options.keep, let d = outcome.directory { details["kept"] = .string(d) }
        let finished = now()
        await record(NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: runID, type: type, status: outcome.succeeded ? .succeeded : .failed,
                                    occurredAt: finished, stanza: options.stanza, repo: options.repo, label: outcome.label, startedAt: started,
                                    finishedAt: max(finished, started), exitCode: outcome.succeeded ? 0 : 1, errorMessage: outcome.error.map { String($0.prefix(2000)) },
                                    host: host, details: CanonicalJSON.object(details).text))
        return outcome
    }

    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    struct Interrupted: Error, CustomStringConvertible {
        var description: String { "interrupted by a signal: the scratch cluster was stopped and removed" }
    }

    func interrupted() throws {
        if SignalForwarding.interrupted != 0 { throw Interrupted() }
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// A scratch directory of its own, owned by postgres, mode 0700.
    func makeScratch() throws -> String {
        try FileManager.default.createDirectory(atPath: options.scratch, withIntermediateDirectories: true)
        var template = Array((options.scratch + "/immoflow-restore-test-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Failure("cannot make a scratch directory in \(options.scratch): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        if geteuid() == 0, let pw = getpwnam("postgres") { chown(directory, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        chmod(directory, 0o700)
        return directory
    }

    /// What the restored data directory needs to start here: its own client authentication file
    /// (trust on the scratch socket only; the production one may name users this host lacks) and,
    /// for a Debian layout, a postgresql.conf (the real one lives in /etc).
    func prepare(directory: String, data: String) throws {
        let hba = directory + "/pg_hba.conf"
        guard FileManager.default.createFile(atPath: hba, contents: Data("local all all trust\n".utf8)) else { throw Failure("cannot write \(hba)") }
        if !FileManager.default.fileExists(atPath: data + "/postgresql.conf") {
            guard FileManager.default.createFile(atPath: data + "/postgresql.conf", contents: Data("# written by dr restore-test\n".utf8)) else {
                throw Failure("cannot write \(data)/postgresql.conf")
            }
        }
        if geteuid() == 0, let pw = getpwnam("postgres") {
            chown(hba, pw.pointee.pw_uid, pw.pointee.pw_gid)
            chown(data + "/postgresql.conf", pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
    }

    /// Polls `pg_is_in_recovery()` until the cluster is promoted (docs/pgbackrest.md G3: pg_ctl
    /// returns before promotion).
    func waitForPromotion(_ pool: ConnectionPool, deadline: ContinuousClock.Instant) async throws {
        while true {
            try interrupted()
            if let row = try? await pool.query("SELECT pg_is_in_recovery() AS r").first, (try? row.decode(Bool.self, "r")) == false { return }
            guard ContinuousClock.now < deadline else { throw Failure("the restored cluster was not promoted before the timeout (still in recovery)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Stops the scratch cluster (fast, then immediate) and removes the directory unless kept.
    func stopAndRemove(directory: String, data: String) async {
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            let fast = await processes.run(asPostgres([options.pgBin + "/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop"]),
                                           passThrough: false, timeout: .seconds(90), keepBytes: 4096)
            if !fast.exit.succeeded {
                _ = await processes.run(asPostgres([options.pgBin + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]),
                                        passThrough: false, timeout: .seconds(60), keepBytes: 4096)
            }
        }
        if !options.keep { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// `restore backup set <label>` from pgBackRest's info output.
    static func label(_ output: String) -> String? {
        guard let range = output.range(of: "restore backup set ") else { return nil }
        let rest = output[range.upperBound...]
        let label = rest.prefix { !$0.isWhitespace && $0 != "," }
        return label.isEmpty ? nil : String(label)
    }

    static func tail(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "no log" }
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    func record(_ event: NewBackupEvent) async {
        guard let evidence else { return }
        _ = try? await evidence.withConnection { try await BackupAuditStore().append(event, on: $0) }
    }
}
