import API
import ArgumentParser
import Chronology
import Compliance
import ComplianceStore
import Crypto
import DisasterRecovery
import Foundation
import JCS
import Migrations
import ObjectStoreClient
import Postgres

/// `immoflow-compliance dr check|restore-test|exercise|fingerprint`: restored databases judged (the seed's
/// dr_restore_test.sh contract, issue 17). Exit 0 the restore is sound, 2 findings, 1 could not
/// check, 64 usage.
struct DRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dr",
        abstract: "Restores judged: check a restored database, run a restore test or the DR exercise, print a fingerprint.",
        subcommands: [Check.self, RestoreTestCommand.self, Exercise.self, Fingerprint.self])

    /// This build's newest migration (the schema a restored database should be at).
    static func latestMigration(_ directory: String?) throws -> Int {
        do { return try MigrationCatalog.load(directory: MigrationCatalog.locate(explicit: directory)).files.last?.version ?? 0 } catch {
            throw CommandFailure("dr: \(error)")
        }
    }

    /// Public keys checkpoints may be signed with: the files given and the signing key's.
    static func keys(_ files: [String]) throws -> [Ed25519PublicKey] {
        var keys: [Ed25519PublicKey] = []
        for path in files {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("dr: cannot read \(path)") }
            do { keys.append(try Ed25519PublicKey(pem: pem)) } catch { throw CommandFailure("dr: \(path): \(error.reason)", exitCode: 64) }
        }
        if let signing = try AuditCommand.signingKey(), !keys.contains(signing.publicKey) { keys.append(signing.publicKey) }
        return keys
    }

    /// Writes report.json and report.md into `directory`; a failure names `command`.
    static func write(json: CanonicalJSON, markdown: String, to directory: String, command: String) throws(CommandFailure) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try (json.text + "\n").write(toFile: directory + "/report.json", atomically: true, encoding: .utf8)
            try markdown.write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure("\(command): cannot write the report to \(directory): \(error.localizedDescription)")
        }
    }

    /// The evidence database the run is recorded in: DATABASE_URL, or none (said on stderr).
    static func evidence(_ database: DatabaseOptions, _ command: String) throws -> ConnectionPool? {
        guard (try? database.resolvedURL()) != nil else {
            BackupCommand.note("\(command): no DATABASE_URL: the run is not recorded")
            return nil
        }
        return try database.pool(size: 1, statementTimeout: .seconds(60)).0
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a restored database: rows against its backup's fingerprint, audit chains, ledger reconciliation, schema.",
            discussion: """
                Compares with the fingerprint recorded when the restored backup started (or --expect FILE from `dr fingerprint`), \
                verifies every audit chain and the backup_audit chain with their checkpoints (--restored-at/--target-time explain \
                checkpoints beyond a head), reconciles the ledger with the invoices, and compares the schema with this build's \
                migrations. Prints the Markdown report (JSON with --json) and writes both to --report-dir. Nothing is written to the \
                database. Exit 0 sound, 2 findings, 1 could not check.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "A fingerprint JSON (from `dr fingerprint`) to judge against instead of the recorded one.") var expect: String?
        @Option(name: .customLong("restored-at"), help: "When the restore was made (RFC 3339; default now).") var restoredAt: String?
        @Option(name: .customLong("target-time"), help: "The restore's recovery target time, when it was a point-in-time restore.") var targetTime: String?
        @Option(name: .customLong("report-dir"), help: "Write report.json and report.md here.") var reportDirectory: String?
        @Option(name: .customLong("public-key"), help: "A PEM public key checkpoints may be signed with (repeatable).") var publicKeyFiles: [String] = []
        @Option(name: .customLong("migrations-dir"), help: "The migrations this build ships (default: found beside the binary).") var migrationsDir: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let now = Timestamp(Date())
            var given: (DatabaseFingerprint, String)?
            if let expect {
                guard let data = FileManager.default.contents(atPath: expect) else { throw CommandFailure("dr check: cannot read \(expect)") }
                guard let value = try? JSONParser.parse(Array(data)), let f = DatabaseFingerprint(json: value) else {
                    throw CommandFailure("dr check: \(expect) is not a fingerprint (make one with `dr fingerprint`)", exitCode: 64)
                }
                given = (f, "the fingerprint in \(expect) (\(f.takenAt.rfc3339))")
            }
            let restored = try restoredAt.map { text in
                guard let t = Timestamp(rfc3339: text) else { throw ValidationError("--restored-at must be an RFC 3339 time") }
                return t
            } ?? now
            let target = try targetTime.map { text in
                guard let t = Timestamp(rfc3339: text) else { throw ValidationError("--target-time must be an RFC 3339 time") }
                return t
            }
            let keys = try DRCommand.keys(publicKeyFiles)
            let latest = try DRCommand.latestMigration(migrationsDir)
            let store = try AuditCommand.store()
            let (pool, url) = try database.pool(size: 2, statementTimeout: .seconds(3600))
            let report: DRReport
            do {
                report = try await RestoreCheck(pool: pool, store: store, keys: keys, latestMigration: latest)
                    .run(database: ConnectionConfiguration.redact(url), expected: given,
                         restore: RestoreEvidence(eventID: "being checked", occurredAt: restored, targetTime: target), now: now)
                await pool.close()
            } catch {
                await pool.close()
                throw CommandFailure("dr check", error, databaseURL: url)
            }
            if let reportDirectory { try DRCommand.write(json: report.json, markdown: report.markdown, to: reportDirectory, command: "dr check") }
            print(json ? report.json.text : report.markdown, terminator: json ? "\n" : "")
            if !report.ok { throw ExitCode(2) }
        }
    }

    struct RestoreTestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore-test",
            abstract: "Restore a backup with pgBackRest into a scratch cluster, check it (dr check), time it, remove it, record it.",
            discussion: """
                Runs as root (pgBackRest and PostgreSQL as the postgres user). The scratch cluster listens on a Unix socket in its \
                own directory only; it is stopped and removed afterwards — after a failure and after SIGTERM too — unless --keep. \
                The events (restore_test started, then succeeded or failed with the label, target, durations and findings) go to \
                DATABASE_URL, the evidence database. Exit 0 the restore is sound, 2 it failed (pgBackRest's error or findings), \
                1 it could not be tested (or was interrupted).
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var restore: ScratchRestoreOptions
        @Option(help: "Restore this backup set (default: the newest).") var set: String?
        @Option(name: .customLong("target-time"), help: "Point-in-time restore to this RFC 3339 time (with --target-action=promote).") var targetTime: String?
        @Option(name: .customLong("report-dir"), help: "Write report.json and report.md here.") var reportDirectory: String?
        @Flag(help: "Keep the scratch directory (the cluster is stopped).") var keep = false
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if let targetTime, Timestamp(rfc3339: targetTime) == nil { throw ValidationError("--target-time must be an RFC 3339 time with an offset") }
            if set != nil && targetTime != nil { throw ValidationError("give --set or --target-time, not both") }
        }

        func run() async throws {
            let keys = try DRCommand.keys(restore.publicKeyFiles)
            let latest = try DRCommand.latestMigration(restore.migrationsDir)
            let store = try AuditCommand.store()
            let evidence = try DRCommand.evidence(database, "dr restore-test")
            let options = restore.options(set: set, targetTime: targetTime.flatMap { Timestamp(rfc3339: $0) }, keep: keep)
            let outcome = await RestoreTest(options: options, evidence: evidence, store: store, keys: keys, latestMigration: latest,
                                            host: BackupCommand.hostName).run()
            await evidence?.close()
            if let reportDirectory, let report = outcome.report {
                try DRCommand.write(json: report.json, markdown: report.markdown, to: reportDirectory, command: "dr restore-test")
            }
            let durations = outcome.durations.map { "\($0.0.replacingOccurrences(of: "_seconds", with: "")) \(String(format: "%.1f", $0.1)) s" }.joined(separator: ", ")
            if json {
                var members: [String: CanonicalJSON] = ["succeeded": .bool(outcome.succeeded), "label": outcome.label.map(CanonicalJSON.string) ?? .null,
                                                        "error": outcome.error.map(CanonicalJSON.string) ?? .null,
                                                        "durations": .object(Dictionary(uniqueKeysWithValues: outcome.durations.map { ($0.0, .string(String(format: "%.3f", $0.1))) }))]
                if let report = outcome.report { members["report"] = report.json }
                print(CanonicalJSON.object(members).text)
            } else if let report = outcome.report {
                print(report.markdown, terminator: "")
            }
            BackupCommand.note("dr restore-test: \(outcome.succeeded ? "succeeded" : "FAILED")" + (outcome.label.map { ", set \($0)" } ?? "")
                + " — \(durations)" + (outcome.error.map { ": \($0)" } ?? ""))
            if outcome.succeeded { return }
            throw outcome.judged ? ExitCode(2) : CommandFailure("dr restore-test: \(outcome.error ?? "could not run")")
        }
    }

    struct Exercise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The monthly DR exercise: a restore test, the API server probed on the restored database, an export package built and verified; the report written and sent.",
            discussion: """
                Everything `dr restore-test` does, then, before the scratch cluster is removed: the API server started against \
                the restored database (/health, /health/ready, /api/metrics must answer 200) and an export package of one \
                organization (default: the first) for the previous month built from it and verified offline. The report \
                (report.md, report.json) goes to --report-dir; with --webhook its summary is POSTed as {"text": …} \
                (Slack-compatible). Recorded as a dr_exercise event. Exit 0 passed, 2 failed, 1 could not run.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var restore: ScratchRestoreOptions
        @Option(help: "The organization to export (default: the first of the restored database).") var organization: String?
        @Option(name: .customLong("report-dir"), help: "Where report.md and report.json are written.") var reportDirectory: String = "/var/log/immoflow-compliance/dr-exercise"
        @Option(help: "A webhook URL the summary is POSTed to as {\"text\": …}.") var webhook: String?

        func validate() throws {
            if let organization, UUID(uuidString: organization) == nil { throw ValidationError("--organization must be a UUID") }
            if let webhook, !(webhook.hasPrefix("https://") || webhook.hasPrefix("http://")) { throw ValidationError("--webhook must be an http(s) URL") }
        }

        func run() async throws {
            let keys = try DRCommand.keys(restore.publicKeyFiles)
            let latest = try DRCommand.latestMigration(restore.migrationsDir)
            let store = try AuditCommand.store()
            // The package is signed with the signing key, or one made for this exercise only.
            let key: Ed25519PrivateKey
            if let signing = try AuditCommand.signingKey() { key = signing } else {
                do { key = try Ed25519PrivateKey.generate() } catch { throw CommandFailure("dr exercise: \(error.reason)") }
            }
            let evidence = try DRCommand.evidence(database, "dr exercise")
            let first = Timestamp(Date()).utcDate.firstOfMonth(addingMonths: -1)
            let exercise = DRExercise(key: key, organization: organization?.lowercased(), from: first, to: first.firstOfMonth(addingMonths: 1).adding(days: -1),
                                      generator: "immoflow-compliance \(BuildInfo.version)")
            let options = restore.options(set: nil, targetTime: nil, keep: false)
            let outcome = await RestoreTest(options: options, evidence: evidence, store: store, keys: keys, latestMigration: latest,
                                            host: BackupCommand.hostName).run(type: .drExercise, extra: { await exercise.steps($0) })
            await evidence?.close()
            let title = "DR exercise of stanza \(restore.stanza)"
            // An unwritable report directory does not hide the outcome: it is printed and sent anyway.
            do { try DRCommand.write(json: outcome.json, markdown: outcome.markdown(title: title), to: reportDirectory, command: "dr exercise") } catch {
                BackupCommand.note(error.message)
            }
            print(outcome.markdown(title: title), terminator: "")
            if let webhook {
                let body = Array(CanonicalJSON.object(["text": .string(outcome.summary(title: title))]).text.utf8)
                do {
                    let answer = try await OffPool.run { () throws(ObjectStoreError) in
                        try WebRequest.send(webhook, method: "POST", headers: [("Content-Type", "application/json")], body: body, timeout: 15)
                    }
                    if !(200...299).contains(answer.status) {
                        BackupCommand.note("dr exercise: the webhook answered \(answer.status): the report is in \(reportDirectory)")
                    }
                } catch {
                    BackupCommand.note("dr exercise: the webhook could not be reached (\(error)): the report is in \(reportDirectory)")
                }
            }
            BackupCommand.note(outcome.summary(title: title))
            if outcome.succeeded { return }
            throw outcome.judged ? ExitCode(2) : CommandFailure("dr exercise: \(outcome.error ?? "could not run")")
        }
    }

    struct Fingerprint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the database's fingerprint (row counts, audit chain heads, backup_audit head, migration) as JSON.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (pool, url) = try database.pool(size: 1)
            do {
                let f = try await pool.withTransaction(.repeatableRead) { try await FingerprintStore().take(on: $0) }
                await pool.close()
                print(f.json.text)
            } catch {
                await pool.close()
                throw CommandFailure("dr fingerprint", error, databaseURL: url)
            }
        }
    }
}
