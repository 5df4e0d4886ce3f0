import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres

/// The server's export jobs (`ExportScheduling`): queued exports run in the background, at most
/// `concurrency` at a time, in detached tasks — a client that leaves does not stop them — each
/// into `<directory>/<id>.tar.gz`. A server that starts marks what ran before it failed
/// (`recoverInterrupted`). A download of a package no longer in the directory fetches it back
/// from the WORM store by its version and checks its SHA-256 first.
public actor ExportJobRunner: ExportScheduling {
    let service: ExportService?
    let pool: ConnectionPool
    let directory: String
    let concurrency: Int
    nonisolated public let unavailableReason: String?
    nonisolated public let wormConfigured: Bool
    private var running = 0
    private var queue: [ExportRecord] = []
    private var tasks: [String: Task<Void, Never>] = [:]
    private let report: @Sendable (String) -> Void

    /// `service` nil: exports cannot be built (`reason` says why).
    public init(service: ExportService?, reason: String?, pool: ConnectionPool, directory: String, concurrency: Int,
                report: @escaping @Sendable (String) -> Void) {
        self.service = service
        unavailableReason = service == nil ? (reason ?? "exports are not configured") : nil
        wormConfigured = service?.store != nil
        self.pool = pool
        self.directory = directory
        self.concurrency = max(1, concurrency)
        self.report = report
    }

    /// Marks exports a previous run left queued or running as failed; how many.
    public func recoverInterrupted() async throws -> Int {
        try await pool.withConnection { try await ExportStore().failInterrupted(now: Timestamp(Date()), on: $0) }
    }

    public func submit(_ record: ExportRecord) async {
        queue.append(record)
        pump()
    }

    private func pump() {
        while running < concurrency, !queue.isEmpty {
            let record = queue.removeFirst()
            running += 1
            tasks[record.id] = Task.detached { [self] in
                await execute(record)
                await finished(record.id)
            }
        }
    }

    private func finished(_ id: String) {
        running -= 1
        tasks[id] = nil
        pump()
    }

    private nonisolated func execute(_ record: ExportRecord) async {
        guard let service else { return }
        var started = record
        started.startedAt = Timestamp(Date())
        do {
            try await pool.withConnection { try await ExportStore().start(record.id, now: started.startedAt!, on: $0) }
            _ = try await service.run(started, path: directory + "/\(record.id).tar.gz", recordPath: true)
        } catch {
            // ExportService recorded the failure with its reason.
            report("export \(record.id) failed: \(error)")
        }
    }

    /// Waits for the exports that are running (a server shutting down).
    public func drain() async {
        queue.removeAll()
        for task in tasks.values { await task.value }
    }

    public func packageFile(_ record: ExportRecord) async throws -> String? {
        if let path = record.localPath, let size = record.size, Self.fileSize(path) == size { return path }
        guard let store = service?.store, let key = record.storageKey, let version = record.versionID, let sha = record.sha256 else { return nil }
        let path = directory + "/\(record.id).tar.gz"
        if let size = record.size, Self.fileSize(path) == size { return path }
        let partial = path + ".download-\(UInt32.random(in: 0...UInt32.max))"
        let fetched: [UInt8] = try await OffPool.run { () throws(ObjectStoreError) in
            let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw .refused("cannot create \(partial): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var digest = MessageDigest(.sha256)
            _ = try store.getObject(storedKey: key, versionID: version) { (bytes: UnsafeRawBufferPointer) throws(ObjectStoreError) in
                digest.update(bytes)
                var at = 0
                while at < bytes.count {
                    let n = write(fd, bytes.baseAddress! + at, bytes.count - at)
                    guard n > 0 else { throw .refused("cannot write \(partial)") }
                    at += n
                }
            }
            return digest.finalize()
        }
        guard fetched == sha else {
            unlink(partial)
            throw ExportError.storage("the WORM copy of export \(record.id) (version \(version)) has SHA-256 \(Hex.encode(fetched)), not the recorded \(Hex.encode(sha))")
        }
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw ExportError.storage("cannot keep the fetched package at \(path)")
        }
        _ = try? await pool.execute("UPDATE export_packages SET local_path = \(path) WHERE id = \(record.id)::uuid")
        return path
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
