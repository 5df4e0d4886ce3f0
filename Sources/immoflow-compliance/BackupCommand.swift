import ArgumentParser
import BackupAgent
import Chronology
import Compliance
import ComplianceStore
import Foundation
import Glibc
import PgBackRest
import Postgres
import Redaction

/// `immoflow-compliance backup run|flush|ingest`: every backup action recorded in `backup_audit`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Record backup actions: wrap pgBackRest runs, deliver the spool, backfill from pgbackrest info.",
        subcommands: [Run.self, Flush.self, Ingest.self])

    struct SpoolOptions: ParsableArguments {
        @Option(help: "Spool file for events the database could not take (default $IMMOFLOW_SPOOL or /var/spool/immoflow-compliance/backup-events.jsonl).")
        var spool: String?

        var eventSpool: EventSpool { EventSpool(path: spool ?? EventSpool.defaultPath) }
    }

    /// A recorder on the configured database, or one that only spools when none is configured.
    static func recorder(_ database: DatabaseOptions, _ spool: SpoolOptions) -> (EventRecorder, ConnectionPool?) {
        do {
            let (pool, _) = try database.pool(size: 1, statementTimeout: .seconds(30))
            return (EventRecorder(pool: pool, spool: spool.eventSpool), pool)
        } catch {
            return (EventRecorder(pool: nil, spool: spool.eventSpool, unavailableReason: "no database configured (DATABASE_URL)"), nil)
        }
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data("immoflow-compliance: \(SecretRedaction.text(line))\n".utf8))
    }

    static var hostName: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a backup command and record it: 'started', then 'succeeded' or 'failed'. Exits with the command's exit code.",
            discussion: """
                Example: immoflow-compliance backup run --type full -- pgbackrest --stanza=main --type=full backup
                The command's output passes through unchanged. For backups, --annotation=audit_event_id=<id> is added
                after the pgbackrest executable, and 'pgbackrest info' is read afterwards for label and sizes. When the
                database is unreachable the command still runs and the events are spooled, to be delivered by the next
                run or by 'backup flush'.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: SpoolOptions
        @Option(help: "full, diff, incr, check, expire, offsite or stanza-create.") var type: String
        @Option(help: "Stanza (default: the command's --stanza).") var stanza: String?
        @Option(help: "Repository 1–256 (default: the command's --repo).") var repo: Int?
        @Option(name: .customLong("info-timeout"), help: "Seconds 'pgbackrest info' may take after a backup.") var infoTimeout: Int = 120
        @Argument(parsing: .postTerminator, help: "The command to run, after --.") var command: [String] = []

        func validate() throws {
            guard BackupRunKind(rawValue: type) != nil else {
                throw ValidationError("--type must be one of \(BackupRunKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !command.isEmpty else { throw ValidationError("give the command to run after --") }
            if let repo, !(1...256).contains(repo) { throw ValidationError("--repo must be 1…256") }
            guard (1...3600).contains(infoTimeout) else { throw ValidationError("--info-timeout must be 1…3600 seconds") }
        }

        func run() async throws {
            let kind = BackupRunKind(rawValue: type)!
            let line = BackupCommandLine(command)
            let stanza = self.stanza ?? line.option("stanza")
            let repo = self.repo ?? line.option("repo").flatMap { Int($0) }.flatMap { (1...256).contains($0) ? $0 : nil }
            let backupRun = BackupRun(kind: kind, runID: Self.uuid(), startedEventID: Self.uuid(), stanza: stanza, repo: repo,
                                      host: BackupCommand.hostName, startedAt: Timestamp(Date()), command: command)
            let (recorder, pool) = BackupCommand.recorder(database, spoolOptions)
            var evidenceLost = false
            func record(_ event: NewBackupEvent) async {
                do {
                    switch try await recorder.record(event) {
                    case .stored: break
                    case .storedSpoolUnusable(let reason):
                        BackupCommand.note("backup run: warning: stored the \(event.status.rawValue) event, but the spool is unusable: \(reason)")
                    case .spooled(let reason):
                        BackupCommand.note("backup run: \(event.status.rawValue) event spooled to \(spoolOptions.eventSpool.path) (\(reason))")
                    }
                } catch {
                    evidenceLost = true
                    BackupCommand.note("backup run: the \(event.status.rawValue) event could not be stored nor spooled: \(error)")
                }
            }
            await record(backupRun.startedEvent)

            let arguments = kind.createsBackup ? line.annotated(eventID: backupRun.startedEventID) : command
            let result = ChildProcess.run(arguments, passThrough: true)
            let finishedAt = Timestamp(Date())
            var info: Result<PgBackRestInfo, InfoDecodingError>?
            if kind.createsBackup, result.exit.succeeded, let infoCommand = line.infoCommand(stanza: stanza, repo: repo) {
                let r = ChildProcess.run(infoCommand, passThrough: false, timeout: .seconds(Int64(infoTimeout)), keepBytes: 64 << 20)
                if r.exit.succeeded {
                    do { info = .success(try PgBackRestInfo(json: Array(r.stdout.utf8))) } catch { info = .failure(error) }
                } else {
                    let reason = PgBackRestOutput(r.stdout + "\n" + r.stderr).lastError ?? "exit code \(r.exit.code)"
                    info = .failure(InfoDecodingError("pgbackrest info failed: \(reason)"))
                }
            }
            let output = PgBackRestOutput(result.stdout + "\n" + result.stderr)
            let outcome = backupRun.outcome(eventID: Self.uuid(), exit: result.exit, finishedAt: finishedAt, output: output, info: info)
            await record(outcome)
            if let pool {
                // WAL archiving evidence, best effort: the database may be the one that is down.
                _ = try? await pool.withConnection { try await WalArchiveMonitor().check(on: $0, host: BackupCommand.hostName) }
                await pool.close()
            }
            if case .notStarted(let reason) = result.exit { BackupCommand.note("backup run: cannot start the command: \(reason)") }
            if evidenceLost && result.exit.succeeded { throw ExitCode(1) }
            throw ExitCode(result.exit.code)
        }

        static func uuid() -> String { UUID().uuidString.lowercased() }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver spooled events to the database, in order, exactly once.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: SpoolOptions

        func run() async throws {
            let url = try database.resolvedURL()
            let (recorder, pool) = BackupCommand.recorder(database, spoolOptions)
            do {
                let count = try await recorder.flush()
                await pool?.close()
                BackupCommand.note("backup flush: delivered \(count) event\(count == 1 ? "" : "s") from \(spoolOptions.eventSpool.path)")
            } catch {
                await pool?.close()
                throw CommandFailure("backup flush", error, databaseURL: url)
            }
        }
    }

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Backfill backup_audit from 'pgbackrest info --output=json' (idempotent by stanza and label).")

        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("info-json"), help: "Read info JSON from a file, or '-' for stdin (default: run pgbackrest info).")
        var infoJSON: String?
        @Option(help: "Only this stanza.") var stanza: String?
        @Option(help: "The pgbackrest executable when info is run.") var pgbackrest: String = "pgbackrest"
        @Option(name: .customLong("info-timeout"), help: "Seconds 'pgbackrest info' may take.") var infoTimeout: Int = 120

        func run() async throws {
            let bytes: [UInt8]
            switch infoJSON {
            case "-":
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            case let path?:
                guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("backup ingest: cannot read \(path)") }
                bytes = Array(data)
            case nil:
                var command = [pgbackrest, "--output=json", "--log-level-console=off"]
                if let stanza { command.append("--stanza=\(stanza)") }
                command.append("info")
                let r = ChildProcess.run(command, passThrough: false, timeout: .seconds(Int64(infoTimeout)), keepBytes: 64 << 20)
                guard r.exit.succeeded else {
                    let reason = PgBackRestOutput(r.stdout + "\n" + r.stderr).lastError ?? "exit code \(r.exit.code)"
                    throw CommandFailure("backup ingest: pgbackrest info failed: \(reason)")
                }
                bytes = Array(r.stdout.utf8)
            }
            let info: PgBackRestInfo
            do { info = try PgBackRestInfo(json: bytes) } catch { throw CommandFailure("backup ingest: \(error.description)") }
            let (pool, url) = try database.pool(size: 1, statementTimeout: .seconds(60))
            do {
                let (plan, added) = try await pool.withTransaction { connection in
                    // One ingest at a time (a second waits): the existence check and the inserts agree.
                    try await connection.execute("SELECT pg_advisory_xact_lock(hashtext('immoflow-compliance backup ingest'))")
                    let store = BackupAuditStore()
                    let plan = InfoIngestion.plan(info, stanza: stanza, recorded: try await store.recordedLabels(stanza: stanza, on: connection))
                    var added = 0
                    for event in plan.events where try await store.appendIdempotent(event, on: connection).created { added += 1 }
                    return (plan, added)
                }
                await pool.close()
                for problem in plan.unhealthy { BackupCommand.note("backup ingest: skipped \(problem)") }
                BackupCommand.note("backup ingest: \(plan.listed) backups listed, \(plan.alreadyRecorded) already recorded, \(added) added")
                if !plan.unhealthy.isEmpty { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                await pool.close()
                throw CommandFailure("backup ingest", error, databaseURL: url)
            }
        }
    }
}
