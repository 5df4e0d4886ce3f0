import ArgumentParser
import BackupAgent
import Chronology
import Compliance
import Crypto
import Foundation
import JCS
import ObjectStore
import ObjectStoreClient

/// `immoflow-compliance worm put|verify|extend|legal-hold`: the WORM store for operators. Every
/// lock set, extended or held is recorded in `backup_audit` (`worm_locked`, `legal_hold`), so the
/// evidence chain shows it; the store is configured by the AWS_* variables (README). The events'
/// details name the object as `object` (a member called `key` would be redacted as a secret).
struct WormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worm",
        abstract: "Lock files in the S3 Object Lock bucket for their legal retention, verify, extend, hold.",
        subcommands: [Put.self, Verify.self, Extend.self, LegalHoldCommand.self])

    /// The country, classes and year a retention is computed from.
    struct RetentionOptions: ParsableArguments {
        @Option(help: "DE or AT (the organization's country).") var country: String?
        @Option(name: .customLong("class"), help: "books, vouchers, letters or real-estate; repeat for a package of several (the longest period counts).")
        var classes: [String] = []
        @Option(help: "Calendar year of the (last) record.") var year: Int?

        var given: Bool { country != nil || !classes.isEmpty || year != nil }

        /// The legal retain-until, or a usage failure naming what is wrong.
        func retainUntil() throws -> Timestamp {
            guard let countryText = country, let country = RetentionCountry(rawValue: countryText) else {
                throw CommandFailure("--country must be DE or AT", exitCode: 64)
            }
            var parsed: [DocumentClass] = []
            for c in classes {
                guard let documentClass = DocumentClass(rawValue: c) else {
                    throw CommandFailure("--class must be one of \(DocumentClass.allCases.map(\.rawValue).joined(separator: ", ")), not \(c)", exitCode: 64)
                }
                parsed.append(documentClass)
            }
            guard let years = RetentionRule.years(country, parsed) else { throw CommandFailure("give at least one --class", exitCode: 64) }
            guard let year, (1900...9000).contains(year), let until = RetentionRule.retainUntil(year: year, years: years) else {
                throw CommandFailure("--year must be a calendar year (1900–9000)", exitCode: 64)
            }
            return until
        }
    }

    /// The configured store (exit 64 for missing configuration), its bucket checked.
    static func client() throws -> S3Client {
        switch S3Configuration.fromEnvironment(ProcessInfo.processInfo.environment) {
        case .failure(let error): throw CommandFailure("worm: \(error.description)", exitCode: 64)
        case .success(let configuration):
            do { return try S3Client(configuration) } catch { throw CommandFailure("worm: \(error.description)") }
        }
    }

    /// Records `event` (or spools it when the database is unreachable); a note when spooled.
    static func record(_ event: NewBackupEvent, database: DatabaseOptions, spool: BackupCommand.SpoolOptions) async {
        let (store, reason) = BackupCommand.store(database)
        let recorder = EventRecorder(store: store, spool: spool.eventSpool, unavailableReason: reason)
        do {
            let (outcome, _) = try await recorder.record(event)
            if case .spooled(let why) = outcome { BackupCommand.note("worm: the event was spooled (\(why)); 'backup flush' delivers it") }
        } catch {
            BackupCommand.note("worm: the event could not be recorded or spooled: \(error)")
        }
        await store?.close()
    }

    static func event(_ type: BackupEventType, _ succeeded: Bool, error: String?, details: [String: CanonicalJSON]) -> NewBackupEvent {
        NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: UUID().uuidString.lowercased(), type: type,
                       status: succeeded ? .succeeded : .failed, occurredAt: Timestamp(Date()), errorMessage: error,
                       host: BackupCommand.hostName, details: CanonicalJSON.object(details).text)
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload FILE locked in COMPLIANCE mode until its legal retention ends; print the version as JSON.",
            discussion: "Example: immoflow-compliance worm put gobd-2024.tar.gz --key org-7f3c/2024/gobd.tar.gz --country DE --class books --year 2024")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: BackupCommand.SpoolOptions
        @OptionGroup var retention: RetentionOptions
        @Argument(help: "The file to upload.") var file: String
        @Option(help: "The object key (after IMMOFLOW_WORM_PREFIX).") var key: String
        @Option(name: .customLong("content-type"), help: "Its media type.") var contentType = "application/octet-stream"
        @Flag(name: .customLong("legal-hold"), help: "Also set a legal hold.") var legalHold = false

        func run() async throws {
            let until = try retention.retainUntil()
            guard !key.isEmpty, !key.hasPrefix("/") else { throw CommandFailure("--key must be a relative object key", exitCode: 64) }
            let client = try WormCommand.client()
            let lock = ObjectRetention(mode: .compliance, retainUntil: until)
            var details: [String: CanonicalJSON] = ["bucket": .string(client.configuration.bucket), "object": .string(client.fullKey(key)),
                                                    "mode": .string(lock.mode.rawValue), "retain_until": .string(lock.retainUntilText)]
            do {
                try client.requireWORMBucket()
                let stored = try client.putObject(name: key, path: file, contentType: contentType, retention: lock, legalHold: legalHold)
                details["version_id"] = .string(stored.versionID)
                details["sha256"] = .string(stored.sha256)
                details["size_bytes"] = .integer(stored.size)
                await WormCommand.record(WormCommand.event(.wormLocked, true, error: nil, details: details), database: database, spool: spoolOptions)
                print(CanonicalJSON.object(["key": .string(stored.key), "version_id": .string(stored.versionID), "mode": .string(lock.mode.rawValue),
                                            "retain_until": .string(lock.retainUntilText), "sha256": .string(stored.sha256),
                                            "size_bytes": .integer(stored.size)]).text)
            } catch {
                await WormCommand.record(WormCommand.event(.wormLocked, false, error: error.description, details: details), database: database, spool: spoolOptions)
                throw CommandFailure("worm put: \(error.description)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a version: it exists, is locked in COMPLIANCE mode until at least the legal date, and its bytes are the ones written.",
            discussion: """
                Exit 0: all of that holds. Exit 2: it does not (the reasons on stderr). Exit 1: it could not be checked.
                The bytes are read by version and hashed; they are compared with --sha256, else with the SHA-256 S3 keeps for
                a single-part upload. --country, --class and --year give the legal date (else only the lock itself is checked).
                """)

        @OptionGroup var retention: RetentionOptions
        @Option(help: "The object key (after IMMOFLOW_WORM_PREFIX).") var key: String
        @Option(name: .customLong("version-id"), help: "The version to check.") var versionID: String
        @Option(help: "The SHA-256 (hex) the version must have (as 'worm put' printed it).") var sha256: String?

        func run() async throws {
            let required = retention.given ? try retention.retainUntil() : nil
            let client = try WormCommand.client()
            // One GET: the bytes to hash, and the lock and checksum in its fields.
            let read: (sha256: String, size: Int64, info: ObjectInfo)
            do {
                read = try client.getObject(name: key, versionID: versionID)
            } catch {
                if case .s3(let s3) = error, s3.isMissingObject {
                    throw CommandFailure("worm verify: \(client.fullKey(key)) version \(versionID): \(LockProblem.missing)", exitCode: 2)
                }
                throw CommandFailure("worm verify: \(error.description)")
            }
            let info = read.info
            // The reference: --sha256, else S3's own full-object checksum (a multipart one, "…-N", is not).
            var expected = sha256?.lowercased()
            if expected == nil, let stored = info.checksumSHA256, !stored.contains("-"), let bytes = Crypto.Base64.decode(stored), bytes.count == 32 {
                expected = Crypto.Hex.encode(bytes)
            }
            guard let expected else {
                throw CommandFailure("worm verify: no reference checksum for \(client.fullKey(key)) (S3 keeps none for it): pass --sha256")
            }
            let problems = LockProblem.problems(retention: info.retention, requiredUntil: required, expectedSHA256: expected, actualSHA256: read.sha256)
            guard problems.isEmpty else {
                throw CommandFailure("worm verify: \(client.fullKey(key)) version \(versionID): "
                    + problems.map(\.description).joined(separator: "; "), exitCode: 2)
            }
            print(CanonicalJSON.object(["key": .string(client.fullKey(key)), "version_id": .string(versionID), "mode": .string(info.retention!.mode.rawValue),
                                        "retain_until": .string(info.retention!.retainUntilText), "sha256": .string(read.sha256),
                                        "size_bytes": .integer(read.size), "legal_hold": .bool(info.legalHold == .on)]).text)
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Extend a version's COMPLIANCE lock to DATE (never shorten: an earlier date is refused before anything is sent).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: BackupCommand.SpoolOptions
        @Option(help: "The object key (after IMMOFLOW_WORM_PREFIX).") var key: String
        @Option(name: .customLong("version-id"), help: "The version.") var versionID: String
        @Option(help: "The new retain-until: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time.") var until: String

        func run() async throws {
            guard let date = Timestamp(rfc3339: until) ?? CalendarDate(iso: until).flatMap({ Timestamp(year: $0.components.year, month: $0.components.month, day: $0.components.day) }) else {
                throw CommandFailure("--until must be YYYY-MM-DD or an RFC 3339 time, not \(until)", exitCode: 64)
            }
            let client = try WormCommand.client()
            let lock = ObjectRetention(mode: .compliance, retainUntil: date)
            let details: [String: CanonicalJSON] = ["bucket": .string(client.configuration.bucket), "object": .string(client.fullKey(key)),
                                                    "version_id": .string(versionID), "mode": .string(lock.mode.rawValue),
                                                    "retain_until": .string(lock.retainUntilText), "action": .string("extend")]
            do {
                try client.extendRetention(name: key, versionID: versionID, to: lock)
            } catch {
                if case .refused = error { throw CommandFailure("worm extend: \(error.description)", exitCode: 64) }
                await WormCommand.record(WormCommand.event(.wormLocked, false, error: error.description, details: details), database: database, spool: spoolOptions)
                throw CommandFailure("worm extend: \(error.description)")
            }
            await WormCommand.record(WormCommand.event(.wormLocked, true, error: nil, details: details), database: database, spool: spoolOptions)
        }
    }

    struct LegalHoldCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "legal-hold", abstract: "Set (on) or clear (off) a version's legal hold.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var spoolOptions: BackupCommand.SpoolOptions
        @Argument(help: "on or off.") var state: String
        @Option(help: "The object key (after IMMOFLOW_WORM_PREFIX).") var key: String
        @Option(name: .customLong("version-id"), help: "The version.") var versionID: String

        func run() async throws {
            guard let hold = LegalHold(rawValue: state.uppercased()), state == state.lowercased() else {
                throw CommandFailure("the state must be on or off, not \(state)", exitCode: 64)
            }
            let client = try WormCommand.client()
            var details: [String: CanonicalJSON] = ["bucket": .string(client.configuration.bucket), "object": .string(client.fullKey(key)),
                                                    "version_id": .string(versionID), "legal_hold": .string(hold.rawValue)]
            do {
                try client.setLegalHold(name: key, versionID: versionID, hold)
            } catch {
                details["error_code"] = error.s3Code.map(CanonicalJSON.string) ?? .null
                await WormCommand.record(WormCommand.event(.legalHold, false, error: error.description, details: details), database: database, spool: spoolOptions)
                throw CommandFailure("worm legal-hold: \(error.description)")
            }
            await WormCommand.record(WormCommand.event(.legalHold, true, error: nil, details: details), database: database, spool: spoolOptions)
        }
    }
}

extension ObjectStoreError {
    /// S3's error code, when S3 answered.
    var s3Code: String? {
        if case .s3(let error) = self { return error.code }
        return nil
    }
}
