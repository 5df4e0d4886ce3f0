import Chronology
import Compliance
import Foundation
import JCS
import Postgres

/// `export_packages` as the export jobs use it: a row made when an export is asked for, moved to
/// running, finished as succeeded (bytes, rows, lock) or failed (the reason); read one by one or
/// as a page, newest first, always within an organization when one is given (an auditor's).
public struct ExportStore: Sendable {
    public init() {}

    static let columns = """
        SELECT id::text AS id, organization_id::text AS organization_id, period_start, period_end, profile, state, worm, requested_by,
               created_at, started_at, finished_at, error, row_counts, sha256, size_bytes, file_name, local_path, storage_key, version_id,
               lock_mode, retain_until, legal_hold, chain_first_seq, chain_last_seq, chain_head, last_verified_at, last_verification_ok,
               last_verification_problem
        FROM export_packages
        """

    /// Records a new export of `organization`'s period; nil when there is no such organization.
    /// `profile` nil: from the organization's country (AT: bao, else gobd).
    public func create(organization: String, from: CalendarDate, to: CalendarDate, profile: String?, worm: Bool, requestedBy: String?,
                       state: ExportRecord.State, now: Timestamp, on connection: PooledConnection) async throws -> ExportRecord? {
        let started: Timestamp? = state == .running ? now : nil
        let result = try await connection.query("""
            INSERT INTO export_packages (organization_id, period_start, period_end, profile, state, worm, requested_by, created_at, started_at, legal_hold)
            SELECT id, \(from), \(to), coalesce(\(profile), CASE country WHEN 'AT' THEN 'bao' ELSE 'gobd' END), \(state.rawValue), \(worm),
                   \(requestedBy), \(now), \(started), false
            FROM organizations WHERE id::text = \(organization)
            RETURNING id::text AS id
            """)
        guard let row = result.first else { return nil }
        return try await get(try row.decode(String.self, "id"), organization: nil, on: connection)
    }

    /// Moves a queued export to running.
    public func start(_ id: String, now: Timestamp, on connection: PooledConnection) async throws {
        _ = try await connection.execute("UPDATE export_packages SET state = 'running', started_at = \(now) WHERE id = \(id)::uuid AND state = 'queued'")
    }

    /// What a finished package records.
    public struct Finished: Sendable {
        public var sha256: [UInt8]
        public var size: Int64
        public var rows: [String: Int64]
        public var fileName: String
        public var localPath: String?
        public var chain: (first: Int64, last: Int64, head: [UInt8])?
        public var generator: String
        public var storageKey: String?
        public var versionID: String?
        public var retainUntil: Timestamp?

        public init(sha256: [UInt8], size: Int64, rows: [String: Int64], fileName: String, localPath: String?, chain: (first: Int64, last: Int64, head: [UInt8])?,
                    generator: String, storageKey: String? = nil, versionID: String? = nil, retainUntil: Timestamp? = nil) {
            self.sha256 = sha256
            self.size = size
            self.rows = rows
            self.fileName = fileName
            self.localPath = localPath
            self.chain = chain
            self.generator = generator
            self.storageKey = storageKey
            self.versionID = versionID
            self.retainUntil = retainUntil
        }
    }

    public func succeed(_ id: String, _ f: Finished, now: Timestamp, on connection: PooledConnection) async throws {
        let rows = CanonicalJSON.object(f.rows.mapValues { .integer($0) }).text
        let lockMode: String? = f.versionID == nil ? nil : "COMPLIANCE"
        _ = try await connection.execute("""
            UPDATE export_packages SET state = 'succeeded', finished_at = \(now), error = NULL, sha256 = \(PostgresBytes(f.sha256)),
                   size_bytes = \(f.size), row_counts = \(rows), file_name = \(f.fileName), local_path = \(f.localPath),
                   chain_first_seq = \(f.chain?.first), chain_last_seq = \(f.chain?.last), chain_head = \(f.chain.map { PostgresBytes($0.head) }),
                   generator = \(f.generator), storage_key = \(f.storageKey), version_id = \(f.versionID), lock_mode = \(lockMode),
                   retain_until = \(f.retainUntil)
            WHERE id = \(id)::uuid
            """)
    }

    public func fail(_ id: String, error: String, now: Timestamp, on connection: PooledConnection) async throws {
        _ = try await connection.execute("""
            UPDATE export_packages SET state = 'failed', finished_at = \(now), error = \(String(error.prefix(2000)))
            WHERE id = \(id)::uuid AND state IN ('queued', 'running')
            """)
    }

    /// Marks every queued or running export failed (a server starting: whatever ran before it
    /// stopped is not finished and never will be). Returns how many.
    public func failInterrupted(now: Timestamp, on connection: PooledConnection) async throws -> Int {
        try await connection.execute("""
            UPDATE export_packages SET state = 'failed', finished_at = \(now),
                   error = 'interrupted: the server stopped while the export was ' || state
            WHERE state IN ('queued', 'running')
            """)
    }

    /// One export; nil when absent or, with `organization`, another organization's.
    public func get(_ id: String, organization: String?, on connection: PooledConnection) async throws -> ExportRecord? {
        guard UUID(uuidString: id) != nil else { return nil }
        var query = Query(unsafeSQL: Self.columns)
        query.append("""
             WHERE id = \(id)::uuid AND (\(organization)::text IS NULL OR organization_id::text = \(organization))
            """)
        return try await connection.query(query).first.map(Self.record)
    }

    /// A page, newest first, after the (created_at, id) of `after`.
    public func page(organization: String?, after: (Timestamp, String)?, limit: Int, on connection: PooledConnection) async throws -> [ExportRecord] {
        var query = Query(unsafeSQL: Self.columns)
        query.append("""
             WHERE (\(organization)::text IS NULL OR organization_id::text = \(organization))
               AND (\(after?.0)::timestamptz IS NULL OR (created_at, id) < (\(after?.0), \(after?.1)::uuid))
             ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """)
        return try await connection.query(query).map(Self.record)
    }

    /// The export of this organization and period already built and locked in the WORM store.
    public func locked(organization: String, from: CalendarDate, to: CalendarDate, on connection: PooledConnection) async throws -> ExportRecord? {
        var query = Query(unsafeSQL: Self.columns)
        query.append("""
             WHERE organization_id::text = \(organization) AND period_start = \(from) AND period_end = \(to)
               AND state = 'succeeded' AND worm AND version_id IS NOT NULL AND lock_mode = 'COMPLIANCE'
             ORDER BY created_at DESC LIMIT 1
            """)
        return try await connection.query(query).first.map(Self.record)
    }

    static func record(_ row: Row) throws -> ExportRecord {
        var r = ExportRecord(id: try row.decode(String.self, "id"), organizationID: try row.decode(String.self, "organization_id"),
                             from: try row.decode(CalendarDate.self, "period_start"), to: try row.decode(CalendarDate.self, "period_end"),
                             profile: try row.decode(String.self, "profile"),
                             state: ExportRecord.State(rawValue: try row.decode(String.self, "state")) ?? .failed,
                             worm: try row.decode(Bool.self, "worm"), createdAt: try row.decode(Timestamp.self, "created_at"))
        r.requestedBy = try row.decode(String?.self, "requested_by")
        r.startedAt = try row.decode(Timestamp?.self, "started_at")
        r.finishedAt = try row.decode(Timestamp?.self, "finished_at")
        r.error = try row.decode(String?.self, "error")
        if let text = try row.decode(String?.self, "row_counts"), let members = (try? JSONParser.parse(Array(text.utf8)))?.members {
            for (k, v) in members { if let n = v.integer { r.rows[k] = n } }
        }
        r.sha256 = try row.decode(PostgresBytes?.self, "sha256")?.bytes
        r.size = try row.decode(Int64?.self, "size_bytes")
        r.fileName = try row.decode(String?.self, "file_name")
        r.localPath = try row.decode(String?.self, "local_path")
        r.storageKey = try row.decode(String?.self, "storage_key")
        r.versionID = try row.decode(String?.self, "version_id")
        r.lockMode = try row.decode(String?.self, "lock_mode")
        r.retainUntil = try row.decode(Timestamp?.self, "retain_until")
        r.legalHold = try row.decode(Bool.self, "legal_hold")
        r.chainFirstSeq = try row.decode(Int64?.self, "chain_first_seq")
        r.chainLastSeq = try row.decode(Int64?.self, "chain_last_seq")
        r.chainHead = try row.decode(PostgresBytes?.self, "chain_head")?.bytes
        r.lastVerifiedAt = try row.decode(Timestamp?.self, "last_verified_at")
        r.lastVerificationOK = try row.decode(Bool?.self, "last_verification_ok")
        r.lastVerificationProblem = try row.decode(String?.self, "last_verification_problem")
        return r
    }
}
