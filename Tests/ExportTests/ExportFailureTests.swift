import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Export
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing

/// An export that fails midway is recorded failed with its reason and leaves nothing half-done:
/// no package file, no object in the bucket; a server that starts marks what ran before it failed.
@Suite(.serialized) struct ExportFailureTests {
    static let fixture = Task { try await PackageFixture.make("export-failure") }

    static func record(_ pool: ConnectionPool, organization: String, worm: Bool, state: ExportRecord.State = .running) async throws -> ExportRecord {
        try #require(try await pool.withConnection {
            try await ExportStore().create(organization: organization, from: CalendarDate(iso: "2026-09-01")!, to: CalendarDate(iso: "2026-09-30")!,
                                           profile: nil, worm: worm, requestedBy: "test", state: state, now: Timestamp(Date()), on: $0)
        })
    }

    static func stored(_ pool: ConnectionPool, _ id: String) async throws -> ExportRecord {
        try #require(try await pool.withConnection { try await ExportStore().get(id, organization: nil, on: $0) })
    }

    @Test("the database connection lost between two tables: the export is failed with the reason, no file is left, a failed export_created is recorded")
    func databaseLost() async throws {
        let fixture = try await Self.fixture.value
        let application = "export-kill-\(UInt32.random(in: 0...UInt32.max))"
        let pool = ConnectionPool(configuration: ConnectionConfiguration(url: fixture.database.url, applicationName: application), size: 3)
        let directory = NSTemporaryDirectory() + "export-failure-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = ExportService(pool: pool, builder: PackageBuilder(pool: pool, key: PackageFixture.key, generator: "test", scratch: directory),
                                    store: nil, host: "test")
        let record = try await Self.record(pool, organization: PackageFixture.anker, worm: false)
        let psql = (ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin") + "/psql"
        let url = fixture.database.url
        let killed = Killed()
        let path = directory + "/\(record.id).tar.gz"
        await #expect(throws: ExportService.ExportFailure.self) {
            _ = try await service.run(record, path: path) { progress in
                // After the first table: end the snapshot's connection (the one idle in its transaction).
                guard progress.table == "organizations", !killed.done else { return }
                killed.done = true
                _ = try? ProcessRunner.run([psql, "-X", "-At", "-d", url, "-c",
                                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(application)' AND state LIKE 'idle in transaction%'"])
            }
        }
        #expect(killed.done)
        let failed = try await Self.stored(pool, record.id)
        #expect(failed.state == .failed && failed.error?.isEmpty == false && failed.sha256 == nil, "\(failed)")
        #expect(!FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: path + ".partial"))
        let events = try await pool.query("SELECT count(*) FROM backup_audit WHERE event_type = 'export_created' AND status = 'failed' AND run_id = \(record.id)::uuid")
            .single().decode(Int64.self, at: 0)
        #expect(events == 1)
        await pool.close()
    }

    final class Killed: @unchecked Sendable {
        // @unchecked Sendable: the builder reports progress from one task at a time.
        var done = false
    }

    @Test("a WORM store whose bucket has no Object Lock: the export fails before any upload, the bucket stays empty, the reason recorded")
    func unlockedBucket() async throws {
        let fixture = try await Self.fixture.value
        let bucket = try TestBucket.make("export-nolock", objectLock: false)
        let pool = fixture.database.pool(size: 3)
        let directory = NSTemporaryDirectory() + "export-failure-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = ExportService(pool: pool, builder: PackageBuilder(pool: pool, key: PackageFixture.key, generator: "test", scratch: directory),
                                    store: bucket, host: "test")
        let record = try await Self.record(pool, organization: PackageFixture.anker, worm: true)
        await #expect(throws: ExportService.ExportFailure.self) { _ = try await service.run(record, path: directory + "/p.tar.gz") }
        let failed = try await Self.stored(pool, record.id)
        #expect(failed.state == .failed && failed.versionID == nil && (failed.error ?? "").contains("WORM store"), "\(failed)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/p.tar.gz") && !FileManager.default.fileExists(atPath: directory + "/p.tar.gz.partial"))
        let listing = try await Blocking.run { try bucket.listVersions(prefix: "") }
        #expect(listing.isEmpty, "\(listing)")
        await pool.close()
    }

    @Test("a server that starts marks the exports a previous run left queued or running as failed, and only those")
    func interrupted() async throws {
        let fixture = try await Self.fixture.value
        let pool = fixture.database.pool(size: 2)
        let running = try await Self.record(pool, organization: PackageFixture.anker, worm: false)
        let queued = try await Self.record(pool, organization: PackageFixture.anker, worm: false, state: .queued)
        let runner = ExportJobRunner(service: nil, reason: "test", pool: pool, directory: NSTemporaryDirectory(), concurrency: 1, report: { _ in })
        #expect(try await runner.recoverInterrupted() >= 2)
        for id in [running.id, queued.id] {
            let r = try await Self.stored(pool, id)
            #expect(r.state == .failed && (r.error ?? "").hasPrefix("interrupted"), "\(r)")
        }
        #expect(try await runner.recoverInterrupted() == 0)
        await pool.close()
    }

    @Test("a WORM package whose file is no longer kept is fetched back by its version, checked against its SHA-256, and served from then on")
    func fetchedBack() async throws {
        let fixture = try await Self.fixture.value
        let bucket = try TestBucket.make("export-fetch")
        let pool = fixture.database.pool(size: 3)
        let directory = NSTemporaryDirectory() + "export-fetch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = ExportService(pool: pool, builder: PackageBuilder(pool: pool, key: PackageFixture.key, generator: "test", scratch: directory),
                                    store: bucket, host: "test")
        let record = try await Self.record(pool, organization: PackageFixture.anker, worm: true)
        let done = try await service.run(record, path: directory + "/\(record.id).tar.gz")
        #expect(done.state == .succeeded && done.versionID != nil && done.lockMode == "COMPLIANCE")
        let original = try Data(contentsOf: URL(fileURLWithPath: directory + "/\(record.id).tar.gz"))
        try FileManager.default.removeItem(atPath: directory + "/\(record.id).tar.gz")
        let runner = ExportJobRunner(service: service, reason: nil, pool: pool, directory: directory, concurrency: 1, report: { _ in })
        let path = try #require(try await runner.packageFile(try await Self.stored(pool, record.id)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(try await Self.stored(pool, record.id).localPath == path)
        // Not locked in the store and not kept: gone (nil), never something else.
        var unlocked = done
        unlocked.versionID = nil
        unlocked.localPath = nil
        try FileManager.default.removeItem(atPath: path)
        #expect(try await runner.packageFile(unlocked) == nil)
        await pool.close()
    }
}
