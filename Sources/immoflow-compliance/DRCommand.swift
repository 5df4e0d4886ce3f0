import ArgumentParser
import Chronology
import Compliance
import ComplianceStore
import Crypto
import DisasterRecovery
import Foundation
import JCS
import Migrations
import Postgres

/// `immoflow-compliance dr check|fingerprint`: restored databases judged (the seed's
/// dr_restore_test.sh contract, issue 17). Exit 0 the restore is sound, 2 findings, 1 could not
/// check, 64 usage.
struct DRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dr",
        abstract: "Judge a restored database (dr check) or print a database's fingerprint (dr fingerprint).",
        subcommands: [Check.self, Fingerprint.self])

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
            var keys: [Ed25519PublicKey] = []
            for path in publicKeyFiles {
                guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("dr check: cannot read \(path)") }
                do { keys.append(try Ed25519PublicKey(pem: pem)) } catch { throw CommandFailure("dr check: \(path): \(error.reason)", exitCode: 64) }
            }
            if let signing = try AuditCommand.signingKey(), !keys.contains(signing.publicKey) { keys.append(signing.publicKey) }
            let latest: Int
            do { latest = try MigrationCatalog.load(directory: MigrationCatalog.locate(explicit: migrationsDir)).files.last?.version ?? 0 } catch {
                throw CommandFailure("dr check: \(error)")
            }
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
            if let reportDirectory {
                do {
                    try FileManager.default.createDirectory(atPath: reportDirectory, withIntermediateDirectories: true)
                    try (report.json.text + "\n").write(toFile: reportDirectory + "/report.json", atomically: true, encoding: .utf8)
                    try report.markdown.write(toFile: reportDirectory + "/report.md", atomically: true, encoding: .utf8)
                } catch {
                    throw CommandFailure("dr check: cannot write the report to \(reportDirectory): \(error.localizedDescription)")
                }
            }
            print(json ? report.json.text : report.markdown, terminator: json ? "\n" : "")
            if !report.ok { throw ExitCode(2) }
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
