import Chronology
import Compliance
import ComplianceStore
import Crypto
import Dispatch
import Foundation
import JCS
import ObjectStore
import ObjectStoreClient
import Postgres
import WormMonitor

/// Runs a recorded export to its end (the I/O shell around `PackageBuilder`): the package is
/// written to `<path>.partial` and renamed when complete; with `worm` it is uploaded locked in
/// COMPLIANCE mode until the longest retention of its classes (docs/gobd-bao-export.md §9) —
/// multipart, aborted on a failure, so no partial object is left — and `export_packages` gets
/// its bytes, rows and lock, `backup_audit` an `export_created` event. Any failure marks the
/// export failed with the reason, removes the partial file and is recorded as a failed event.
public struct ExportService: Sendable {
    public let pool: ConnectionPool
    public let builder: PackageBuilder
    public let store: S3Client?
    public let host: String?

    public init(pool: ConnectionPool, builder: PackageBuilder, store: S3Client?, host: String?) {
        self.pool = pool
        self.builder = builder
        self.store = store
        self.host = host
    }

    /// The object key of a package (after the store's prefix).
    public static func objectName(_ r: ExportRecord) -> String {
        "exports/\(r.organizationID)/\(r.from.iso)_\(r.to.iso)/\(r.id).tar.gz"
    }

    /// Builds the export `record` into the file `path`, uploads it when `record.worm`, records the
    /// outcome (with `path` as where the package is kept when `recordPath`; the caller removes a
    /// file it does not keep). Returns the finished record, or throws the failure (recorded).
    public func run(_ record: ExportRecord, path: String, recordPath: Bool = true,
                    progress: @escaping @Sendable (PackageBuilder.Progress) -> Void = { _ in }) async throws -> ExportRecord {
        let partial = path + ".partial"
        do {
            if record.worm && store == nil { throw ExportError.storage("no WORM store is configured (IMMOFLOW_WORM_BUCKET)") }
            let request = ExportRequest(exportID: record.id, organizationID: record.organizationID, from: record.from, to: record.to,
                                        profile: ExportProfile(rawValue: record.profile), createdAt: record.createdAt)
            let file = try FileSink(path: partial)
            let built: BuiltPackage
            do {
                built = try await builder.build(request, progress: progress, checkpointStore: record.worm ? storeCheckpoint : nil) { try file.write($0) }
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            guard rename(partial, path) == 0 else { throw ExportError.storage("cannot rename \(partial): \(String(cString: strerror(errno)))") }
            var finished = ExportStore.Finished(sha256: built.sha256, size: built.size, rows: built.rows,
                                                fileName: BuiltPackage.fileName(organizationID: record.organizationID, from: record.from, to: record.to),
                                                localPath: recordPath ? path : nil,
                                                chain: built.chain.map { ($0.firstSeq, $0.lastSeq, $0.headHash) }, generator: builder.generator)
            if record.worm, let store {
                let name = Self.objectName(record)
                let retention = ObjectRetention(mode: .compliance, retainUntil: built.retainUntil)
                let stored = try await OffPool.run { () throws(ObjectStoreError) in
                    try store.requireWORMBucket()
                    return try store.putObject(name: name, path: path, contentType: "application/gzip", retention: retention)
                }
                guard stored.sha256 == Hex.encode(built.sha256) else {
                    throw ExportError.storage("the stored object's SHA-256 \(stored.sha256) is not the package's \(Hex.encode(built.sha256))")
                }
                finished.storageKey = stored.key
                finished.versionID = stored.versionID
                finished.retainUntil = built.retainUntil
            }
            let now = Timestamp(Date())
            let done = finished
            try await pool.withConnection { connection in
                try await ExportStore().succeed(record.id, done, now: now, on: connection)
                _ = try await BackupAuditStore().append(event(record, succeeded: true, error: nil, finished: done), on: connection)
            }
            return try await pool.withConnection { try await ExportStore().get(record.id, organization: nil, on: $0) } ?? record
        } catch {
            // Nothing half-done stays: neither the partial file nor a complete one whose upload or
            // record failed (the export is failed; a retry builds it anew).
            unlink(partial)
            unlink(path)
            let reason = (error as? ExportError)?.description ?? (error as? ObjectStoreError).map { "WORM store: \($0)" } ?? "\(error)"
            let now = Timestamp(Date())
            _ = try? await pool.withConnection { connection in
                try await ExportStore().fail(record.id, error: reason, now: now, on: connection)
                _ = try await BackupAuditStore().append(event(record, succeeded: false, error: reason, finished: nil), on: connection)
            }
            throw ExportFailure(reason: reason, underlying: error)
        }
    }

    /// A `--worm` export's checkpoint: locked in the WORM store like the daily ones (COMPLIANCE,
    /// 10 years) and recorded in audit_checkpoints, so the chain verification judges it too.
    func storeCheckpoint(_ checkpoint: AuditCheckpoint, _ object: [UInt8], _ signature: [UInt8]) async throws -> (storageKey: String, versionID: String) {
        guard let store else { throw ExportError.storage("no WORM store is configured (IMMOFLOW_WORM_BUCKET)") }
        let until = checkpoint.requiredRetainUntil
        let name = AuditCheckpointWriter.objectName(checkpoint)
        let stored = try await OffPool.run { () throws(ObjectStoreError) in
            try store.requireWORMBucket()
            return try store.putObject(name: name, bytes: object, contentType: "text/plain; charset=utf-8",
                                       retention: ObjectRetention(mode: .compliance, retainUntil: until))
        }
        try await pool.withConnection { connection in
            try await AuditCheckpointStore().insert(checkpoint, signature: signature, storageKey: stored.key, versionID: stored.versionID,
                                                    retainUntil: until, objectSHA256: Hex.decode(stored.sha256), on: connection)
        }
        return (stored.key, stored.versionID)
    }

    /// A failed export: the reason as recorded.
    public struct ExportFailure: Error, CustomStringConvertible {
        public let reason: String
        public let underlying: Error
        public var description: String { reason }
    }

    func event(_ r: ExportRecord, succeeded: Bool, error: String?, finished: ExportStore.Finished?) -> NewBackupEvent {
        var details: [String: CanonicalJSON] = [
            "export_id": .string(r.id), "organization_id": .string(r.organizationID), "period_start": .string(r.from.iso),
            "period_end": .string(r.to.iso), "profile": .string(r.profile), "worm": .bool(r.worm),
        ]
        if let f = finished {
            details["sha256"] = .string(Hex.encode(f.sha256))
            details["size_bytes"] = .integer(f.size)
            if let key = f.storageKey { details["object"] = .string(key) }
            if let version = f.versionID { details["version_id"] = .string(version) }
            if let until = f.retainUntil {
                details["mode"] = .string("COMPLIANCE")
                details["retain_until"] = .string(ObjectRetention(mode: .compliance, retainUntil: until).retainUntilText)
            }
        }
        return NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: r.id, type: .exportCreated, status: succeeded ? .succeeded : .failed,
                              occurredAt: Timestamp(Date()), startedAt: r.startedAt ?? r.createdAt, finishedAt: Timestamp(Date()),
                              sizeBytes: finished?.size, errorMessage: error, host: host, details: CanonicalJSON.object(details).text)
    }
}
