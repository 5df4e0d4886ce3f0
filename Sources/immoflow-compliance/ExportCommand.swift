import API
import ArgumentParser
import Chronology
import Compliance
import ComplianceStore
import Crypto
import Export
import Foundation
import Gdpdu
import JCS
import ObjectStoreClient
import Postgres

/// `immoflow-compliance export`: a GoBD/BAO audit package of one organization's period (or, for
/// the monthly run after billing, of every organization's previous month), written to a file or
/// stdout and, with `--worm`, locked in the WORM store (docs/gobd-bao-export.md). Every export is
/// recorded in `export_packages`; a package already built and locked for an organization and
/// period is skipped and said so. Progress on a terminal only. Exit 0 done, 1 could not (a
/// database or store failure, a broken audit chain), 64 usage.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Build a GoBD/BAO audit package (tar.gz) of an organization's period; with --worm, lock it in the WORM store.",
        discussion: """
            Examples:
              immoflow-compliance export --organization 7f3c2a9e-0000-4000-8000-000000000001 --from 2025-01-01 --to 2025-12-31 --output gobd-2025.tar.gz
              immoflow-compliance export --all-organizations --period previous-month --worm      (monthly, after the billing run)
            The package is signed with IMMOFLOW_SIGNING_KEY_FILE (Ed25519); IMMOFLOW_GDPDU_DTD replaces the bundled DTD with the official file.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The organization (UUID).") var organization: String?
    @Flag(name: .customLong("all-organizations"), help: "Every organization (with --period and --worm: the monthly run).") var allOrganizations = false
    @Option(help: "First day of the period (YYYY-MM-DD).") var from: String?
    @Option(help: "Last day of the period (YYYY-MM-DD).") var to: String?
    @Option(help: "previous-month, or a month YYYY-MM (instead of --from/--to).") var period: String?
    @Option(help: "gobd (DE) or bao (AT); default: from the organization's country.") var profile: String?
    @Option(help: "The package file, or - for stdout (default: <organization>_<from>_<to>.tar.gz here).") var output: String?
    @Option(name: .customLong("output-directory"), help: "With --all-organizations: where the packages are kept.") var outputDirectory: String?
    @Flag(help: "Upload the package locked in COMPLIANCE mode (IMMOFLOW_WORM_BUCKET) and record the lock.") var worm = false
    @Option(help: "Directory for scratch files (default: $TMPDIR or /tmp).") var scratch: String?

    func validate() throws {
        if allOrganizations == (organization != nil) { throw ValidationError("give exactly one of --organization and --all-organizations") }
        if let organization, UUID(uuidString: organization) == nil { throw ValidationError("--organization must be a UUID, not \(organization)") }
        if (period != nil) == (from != nil || to != nil) { throw ValidationError("give --period, or --from and --to") }
        if period == nil, from == nil || to == nil { throw ValidationError("give both --from and --to") }
        if let profile, ExportProfile(rawValue: profile) == nil { throw ValidationError("--profile must be gobd or bao, not \(profile)") }
        if allOrganizations && output != nil { throw ValidationError("--output names one package: with --all-organizations use --output-directory") }
        if allOrganizations && !worm && outputDirectory == nil {
            throw ValidationError("--all-organizations needs --worm or --output-directory (the packages must go somewhere)")
        }
    }

    /// The period asked for.
    func dates(now: Timestamp) throws -> (CalendarDate, CalendarDate) {
        let range: (CalendarDate, CalendarDate)
        if let period {
            if period == "previous-month" {
                let first = now.utcDate.firstOfMonth(addingMonths: -1)
                range = (first, first.firstOfMonth(addingMonths: 1).adding(days: -1))
            } else if period.count == 7, let first = CalendarDate(iso: period + "-01") {
                range = (first, first.firstOfMonth(addingMonths: 1).adding(days: -1))
            } else {
                throw CommandFailure("--period must be previous-month or YYYY-MM, not \(period)", exitCode: 64)
            }
        } else {
            guard let f = CalendarDate(iso: from ?? ""), let t = CalendarDate(iso: to ?? "") else {
                throw CommandFailure("--from and --to must be dates YYYY-MM-DD", exitCode: 64)
            }
            range = (f, t)
        }
        if let problem = ExportPeriod.problem(from: range.0, to: range.1) { throw CommandFailure("export: \(problem)", exitCode: 64) }
        return range
    }

    func run() async throws {
        let now = Timestamp(Date())
        let (first, last) = try dates(now: now)
        guard let key = try AuditCommand.signingKey() else {
            throw CommandFailure("export: no signing key: set IMMOFLOW_SIGNING_KEY_FILE to a PKCS#8 PEM Ed25519 key (packages are signed)", exitCode: 64)
        }
        let store = worm ? try AuditCommand.store() : nil
        if worm && store == nil { throw CommandFailure("export: --worm needs the WORM store: set IMMOFLOW_WORM_BUCKET (and its endpoint and credentials)", exitCode: 64) }
        if let output, output != "-", FileManager.default.fileExists(atPath: output) {
            throw CommandFailure("export: \(output) exists: a package is never written over another file")
        }
        let dtd = try Self.dtd()
        let scratchDirectory = scratch ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let (pool, url) = try database.pool(size: 2, statementTimeout: .seconds(3600))
        let builder = PackageBuilder(pool: pool, key: key, dtd: dtd, generator: "immoflow-compliance \(BuildInfo.version)", scratch: scratchDirectory)
        let service = ExportService(pool: pool, builder: builder, store: store, host: BackupCommand.hostName)
        do {
            let organizations: [String]
            if let organization {
                organizations = [organization.lowercased()]
            } else {
                organizations = try await pool.query("SELECT id::text AS id FROM organizations ORDER BY id").map { try $0.decode(String.self, "id") }
            }
            var failures = 0
            for org in organizations {
                if worm, let existing = try await pool.withConnection({ try await ExportStore().locked(organization: org, from: first, to: last, on: $0) }) {
                    BackupCommand.note("export: \(org) \(first.iso) to \(last.iso): already exported and locked (export \(existing.id), version \(existing.versionID ?? "?")): skipped")
                    continue
                }
                let requested = "cli:" + (BackupCommand.hostName ?? "localhost")
                guard let record = try await pool.withConnection({
                    try await ExportStore().create(organization: org, from: first, to: last, profile: profile, worm: worm, requestedBy: requested,
                                                   state: .running, now: now, on: $0)
                }) else {
                    throw CommandFailure("export: no organization \(org)")
                }
                do {
                    try await export(record, service: service, scratch: scratchDirectory)
                } catch let failure as ExportService.ExportFailure {
                    failures += 1
                    BackupCommand.note("export: \(org) \(first.iso) to \(last.iso) failed: \(failure.reason)")
                    if !allOrganizations { throw CommandFailure("export: \(failure.reason)") }
                }
            }
            await pool.close()
            if failures > 0 { throw CommandFailure("export: \(failures) of \(organizations.count) organizations failed (see above; recorded in export_packages)") }
        } catch {
            await pool.close()
            throw CommandFailure("export", error, databaseURL: url)
        }
    }

    /// One export to its destination, with progress on a terminal.
    func export(_ record: ExportRecord, service: ExportService, scratch: String) async throws {
        let name = BuiltPackage.fileName(organizationID: record.organizationID, from: record.from, to: record.to)
        let toStdout = output == "-"
        var path: String
        if toStdout || (worm && output == nil && outputDirectory == nil) {
            path = scratch + "/immoflow-export-\(record.id).tar.gz"
        } else if let output {
            path = output
        } else if let outputDirectory {
            path = outputDirectory + "/" + name
        } else {
            path = name
        }
        // Recorded as where the package is kept: absolute.
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        let keep = !toStdout && (output != nil || outputDirectory != nil || !worm)
        let meter = isatty(2) == 1 ? ProgressMeter(label: "\(record.organizationID) \(record.from.iso)..\(record.to.iso)") : nil
        let finished = try await service.run(record, path: path, recordPath: keep, progress: { meter?.show($0) })
        defer { if !keep { unlink(path) } }
        meter?.done()
        if toStdout {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("export: cannot read back \(path)") }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { FileHandle.standardOutput.write(chunk) }
            return
        }
        var summary: [String: CanonicalJSON] = [
            "export_id": .string(finished.id), "organization_id": .string(finished.organizationID), "from": .string(finished.from.iso),
            "to": .string(finished.to.iso), "profile": .string(finished.profile), "sha256": .string(finished.sha256.map(Hex.encode) ?? ""),
            "size_bytes": .integer(finished.size ?? 0), "rows": .object(finished.rows.mapValues { .integer($0) }),
        ]
        if keep { summary["file"] = .string(path) }
        if let key = finished.storageKey { summary["object"] = .string(key) }
        if let version = finished.versionID { summary["version_id"] = .string(version) }
        if let until = finished.retainUntil { summary["retain_until"] = .string(until.rfc3339) }
        print(CanonicalJSON.object(summary).text)
    }

    /// The DTD packages ship: IMMOFLOW_GDPDU_DTD (the official file) when set, else the bundled one.
    static func dtd() throws -> [UInt8] {
        guard let path = ProcessInfo.processInfo.environment["IMMOFLOW_GDPDU_DTD"], !path.isEmpty else { return Array(GdpduGrammar.bundledDTD.utf8) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("export: cannot read IMMOFLOW_GDPDU_DTD \(path)") }
        return Array(data)
    }
}
