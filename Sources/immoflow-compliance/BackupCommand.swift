import ArgumentParser
import BackupAgent
import Chronology
import Compliance
import ComplianceStore
import Foundation
import Glibc
import JCS
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

    /// A store on the configured database, or nil with the reason (the events are then spooled).
    static func store(_ database: DatabaseOptions) -> (store: DatabaseEventStore?, reason: String?) {
        do {
            let (pool, _) = try database.pool(size: 1, statementTimeout: .seconds(30))
            return (DatabaseEventStore(pool: pool), nil)
        } catch {
            return (nil, "no database configured (DATABASE_URL)")
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
            let (store, reason) = BackupCommand.store(database)
            let wrapper = BackupWrapper(store: store, unavailableReason: reason, spool: spoolOptions.eventSpool, processes: SystemProcesses(),
                                        clock: SystemClock(), host: BackupCommand.hostName, newID: { UUID().uuidString.lowercased() })
            let kind = BackupRunKind(rawValue: type)!
            let report = await wrapper.run(.init(kind: kind, stanza: stanza, repo: repo, command: command,
                                                 infoTimeout: .seconds(Int64(infoTimeout)), fingerprint: kind.createsBackup ? await BackupCommand.fingerprint(database) : nil))
            for note in report.notes { BackupCommand.note(note) }
            // The command's own code, passed through silently: its output and our notes said it all.
            throw ExitCode(report.exitCode)
        }
    }

    /// What the database holds just before the backup starts (DR checks judge a restore against
    /// it); nil, with a note, when it cannot be read — the backup runs regardless.
    static func fingerprint(_ database: DatabaseOptions) async -> CanonicalJSON? {
        guard let (pool, _) = try? database.pool(size: 1, statementTimeout: .seconds(60)) else { return nil }
        do {
            let f = try await pool.withTransaction(.repeatableRead) { try await FingerprintStore().take(on: $0) }
            await pool.close()
            return f.json
        } catch {
            await pool.close()
            note("backup run: no fingerprint of the database recorded (\(error)); the backup runs regardless")
            return nil
        }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver spooled events to the database, in order, exactly once.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: SpoolOptions

        func run() async throws {
            let url = try database.resolvedURL()
            let (store, reason) = BackupCommand.store(database)
            let recorder = EventRecorder(store: store, spool: spoolOptions.eventSpool, unavailableReason: reason)
            let path = spoolOptions.eventSpool.path
            let delivery: SpoolDelivery
            do {
                delivery = try await recorder.flush()
                await store?.close()
            } catch {
                await store?.close()
                throw CommandFailure("backup flush", error, databaseURL: url)
            }
            let plural = delivery.delivered == 1 ? "" : "s"
            guard delivery.rejected == 0 else {
                // Set aside, never dropped — but a flush that could not deliver everything must not look done.
                throw CommandFailure("backup flush: delivered \(delivery.delivered) event\(plural) from \(path); \(delivery.rejected) line"
                    + "\(delivery.rejected == 1 ? "" : "s") could not be read and \(delivery.rejected == 1 ? "was" : "were") moved to \(path).rejected")
            }
            BackupCommand.note("backup flush: delivered \(delivery.delivered) event\(plural) from \(path)")
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
                let r = await SystemProcesses().run(command, passThrough: false, timeout: .seconds(Int64(infoTimeout)), keepBytes: 64 << 20)
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
