import Chronology
import Compliance
import Foundation
import Postgres

/// Appends and reads `backup_audit` events (one global hash chain).
public struct BackupAuditStore: Sendable {
    public init() {}

    /// The selected columns, in the order `BackupEvent(row:)` decodes them by position.
    public static let columnNames = [
        "seq", "event_id", "run_id", "event_type", "status", "occurred_at", "recorded_at", "stanza", "repo", "label",
        "started_at", "finished_at", "size_bytes", "delta_bytes", "repo_size_bytes", "repo_delta_bytes", "wal_start",
        "wal_stop", "lsn_start", "lsn_stop", "exit_code", "error_message", "host", "details", "idempotency_key",
        "request_sha256", "prev_hash", "hash",
    ]
    static let columns = Query(unsafeSQL: columnNames.joined(separator: ", "))

    /// Decodes rows selected with `columns`, after checking the result has exactly those columns
    /// (positional decoding is what keeps a page of 500 events cheap).
    public static func events(_ result: QueryResult) throws -> [BackupEvent] {
        guard result.columns == columnNames else {
            throw PostgresError(.decoding, "backup_audit result columns differ from BackupAuditStore.columnNames")
        }
        return try result.map { try BackupEvent(row: $0) }
    }

    /// The INSERT of one event (without RETURNING).
    private func insert(_ e: NewBackupEvent) -> Query {
        """
        INSERT INTO backup_audit (event_id, run_id, event_type, status, occurred_at, stanza, repo, label,
            started_at, finished_at, size_bytes, delta_bytes, repo_size_bytes, repo_delta_bytes, wal_start,
            wal_stop, lsn_start, lsn_stop, exit_code, error_message, host, details, idempotency_key, request_sha256)
        VALUES (\(e.eventID)::uuid, \(e.runID)::uuid, \(e.type.rawValue), \(e.status.rawValue),
            \(e.occurredAt)::timestamptz, \(e.stanza), \(e.repo.map(Int16.init)), \(e.label),
            \(e.startedAt)::timestamptz, \(e.finishedAt)::timestamptz, \(e.sizeBytes), \(e.deltaBytes),
            \(e.repoSizeBytes), \(e.repoDeltaBytes), \(e.walStart), \(e.walStop), \(e.lsnStart), \(e.lsnStop),
            \(e.exitCode.map(Int32.init)), \(e.errorMessage), \(e.host), \(e.details), \(e.idempotencyKey),
            \(e.requestSHA256.map(PostgresBytes.init)))
        """
    }

    /// Appends one event and returns the stored row.
    public func append(_ e: NewBackupEvent, on connection: PooledConnection) async throws -> BackupEvent {
        var query = insert(e)
        query.append(" RETURNING ")
        query.append(Self.columns)
        let result = try await connection.query(query)
        _ = try result.single()
        return try Self.events(result)[0]
    }

    /// Appends `e` unless an event with its id is stored already (spool delivery: exactly once
    /// however often it is repeated). Returns the new row, or nil when it existed.
    public func appendIfAbsent(_ e: NewBackupEvent, on connection: PooledConnection) async throws -> BackupEvent? {
        precondition(e.eventID != nil, "appendIfAbsent needs the event id")
        var query = insert(e)
        query.append(" ON CONFLICT (event_id) DO NOTHING RETURNING ")
        query.append(Self.columns)
        return try Self.events(try await connection.query(query)).first
    }

    /// Appends `e` under its idempotency key, or returns the event stored earlier under that key
    /// (`created` false). The caller compares `request_sha256` to tell a retry from a conflict.
    public func appendIdempotent(_ e: NewBackupEvent, on connection: PooledConnection) async throws -> (event: BackupEvent, created: Bool) {
        guard let key = e.idempotencyKey else { return (try await append(e, on: connection), true) }
        var query = insert(e)
        query.append(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING ")
        query.append(Self.columns)
        if let stored = try Self.events(try await connection.query(query)).first { return (stored, true) }
        var select: Query = "SELECT "
        select.append(Self.columns)
        select.append(" FROM backup_audit WHERE idempotency_key = \(key)")
        guard let existing = try Self.events(try await connection.query(select)).first else {
            throw PostgresError(.decoding, "idempotency key conflicted but no event holds it")
        }
        return (existing, false)
    }

    /// The (stanza, label) pairs with an outcome recorded, as `stanza + "\0" + label`.
    public func recordedLabels(stanza: String?, on connection: PooledConnection) async throws -> Set<String> {
        let result = try await connection.query("""
            SELECT DISTINCT stanza, label FROM backup_audit
            WHERE label IS NOT NULL AND stanza IS NOT NULL AND status <> 'started'
              AND (\(stanza)::text IS NULL OR stanza = \(stanza))
            """)
        return Set(try result.map { try $0.decode(String.self, "stanza") + "\u{0}" + $0.decode(String.self, "label") })
    }

    /// Appends events in one statement, in array order; returns how many were written.
    @discardableResult
    public func append(_ events: [NewBackupEvent], on connection: PooledConnection) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try await connection.execute("""
            INSERT INTO backup_audit (event_id, run_id, event_type, status, occurred_at, stanza, repo, label,
                started_at, finished_at, size_bytes, delta_bytes, repo_size_bytes, repo_delta_bytes, wal_start,
                wal_stop, lsn_start, lsn_stop, exit_code, error_message, host, details)
            SELECT event_id, run_id, event_type, status, occurred_at, stanza, repo, label, started_at,
                finished_at, size_bytes, delta_bytes, repo_size_bytes, repo_delta_bytes, wal_start, wal_stop,
                lsn_start, lsn_stop, exit_code, error_message, host, details
            FROM unnest(
                \(events.map { $0.eventID ?? UUID().uuidString.lowercased() })::uuid[],
                \(events.map(\.runID))::uuid[],
                \(events.map(\.type.rawValue))::text[], \(events.map(\.status.rawValue))::text[],
                \(events.map(\.occurredAt))::timestamptz[], \(events.map(\.stanza))::text[],
                \(events.map(\.repo))::int[], \(events.map(\.label))::text[],
                \(events.map(\.startedAt))::timestamptz[], \(events.map(\.finishedAt))::timestamptz[],
                \(events.map(\.sizeBytes))::bigint[], \(events.map(\.deltaBytes))::bigint[],
                \(events.map(\.repoSizeBytes))::bigint[], \(events.map(\.repoDeltaBytes))::bigint[],
                \(events.map(\.walStart))::text[], \(events.map(\.walStop))::text[],
                \(events.map(\.lsnStart))::text[], \(events.map(\.lsnStop))::text[],
                \(events.map(\.exitCode))::int[], \(events.map(\.errorMessage))::text[],
                \(events.map(\.host))::text[], \(events.map(\.details))::text[]
            ) WITH ORDINALITY AS t(event_id, run_id, event_type, status, occurred_at, stanza, repo, label,
                   started_at, finished_at, size_bytes, delta_bytes, repo_size_bytes, repo_delta_bytes, wal_start,
                   wal_stop, lsn_start, lsn_stop, exit_code, error_message, host, details, n)
            ORDER BY n
            """)
    }

    /// Up to `limit` events with `seq > afterSeq`, in seq order.
    public func events(afterSeq: Int64, limit: Int, on connection: PooledConnection) async throws -> [BackupEvent] {
        var query: Query = "SELECT "
        query.append(Self.columns)
        query.append(" FROM backup_audit WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(limit)")
        return try Self.events(try await connection.query(query))
    }
}

extension BackupEvent {
    /// Decodes a row selected with `BackupAuditStore.columns`, by position (see `columnNames`).
    init(row: Row) throws {
        guard let type = BackupEventType(rawValue: try row.decode(String.self, at: 3)),
              let status = BackupEventStatus(rawValue: try row.decode(String.self, at: 4))
        else { throw PostgresError(.decoding, "unknown event_type or status in backup_audit") }
        self.init(seq: try row.decode(Int64.self, at: 0),
                  eventID: try row.decode(String.self, at: 1),
                  runID: try row.decode(String?.self, at: 2),
                  type: type, status: status,
                  occurredAt: try row.decode(Timestamp.self, at: 5),
                  recordedAt: try row.decode(Timestamp.self, at: 6),
                  stanza: try row.decode(String?.self, at: 7),
                  repo: try row.decode(Int?.self, at: 8),
                  label: try row.decode(String?.self, at: 9),
                  startedAt: try row.decode(Timestamp?.self, at: 10),
                  finishedAt: try row.decode(Timestamp?.self, at: 11),
                  sizeBytes: try row.decode(Int64?.self, at: 12),
                  deltaBytes: try row.decode(Int64?.self, at: 13),
                  repoSizeBytes: try row.decode(Int64?.self, at: 14),
                  repoDeltaBytes: try row.decode(Int64?.self, at: 15),
                  walStart: try row.decode(String?.self, at: 16),
                  walStop: try row.decode(String?.self, at: 17),
                  lsnStart: try row.decode(String?.self, at: 18),
                  lsnStop: try row.decode(String?.self, at: 19),
                  exitCode: try row.decode(Int?.self, at: 20),
                  errorMessage: try row.decode(String?.self, at: 21),
                  host: try row.decode(String?.self, at: 22),
                  details: try row.decode(String.self, at: 23),
                  idempotencyKey: try row.decode(String?.self, at: 24),
                  requestSHA256: try row.decode(PostgresBytes?.self, at: 25)?.bytes,
                  prevHash: try row.decode(PostgresBytes.self, at: 26).bytes,
                  hash: try row.decode(PostgresBytes.self, at: 27).bytes)
    }
}

extension BackupAuditStore {
    /// One page of the history, newest first, and the cursor of the next page (nil at the end).
    /// Keyset pagination on (occurred_at, seq): never OFFSET, so deep pages cost what the first does.
    public func page(_ q: BackupEventQuery, on connection: PooledConnection) async throws -> (events: [BackupEvent], next: BackupEventCursor?) {
        var events = try Self.events(try await pageResult(q, on: connection))
        var next: BackupEventCursor?
        if events.count > q.limit {
            events.removeLast(events.count - q.limit)
            if let last = events.last { next = BackupEventCursor(occurredAt: last.occurredAt, seq: last.seq) }
        }
        return (events, next)
    }

    /// The undecoded rows of a page (up to `limit + 1`, the extra row telling that a next page
    /// exists), in `columnNames` order — for writers that transcode the binary result directly.
    public func pageResult(_ q: BackupEventQuery, on connection: PooledConnection) async throws -> QueryResult {
        try await pageResult(q, on: connection) { $0 }
    }

    /// `transform` applied to the undecoded rows of a page on the connection's own thread, as soon
    /// as they arrive: a response written from the result there costs no further thread hop.
    public func pageResult<T: Sendable>(_ q: BackupEventQuery, on connection: PooledConnection,
                                        transform: @escaping @Sendable (QueryResult) throws(PostgresError) -> T) async throws -> T {
        try await connection.query(Self.pageQuery(q)) { result throws(PostgresError) in try Self.checked(result, transform) }
    }

    /// `pageResult(_:on:transform:)` without a task: `completion` gets `transform` of the page,
    /// both run on the pooled connection's thread (`ConnectionPool.start`).
    public func startPage<T>(_ q: BackupEventQuery, on pool: ConnectionPool,
                             transform: @escaping @Sendable (QueryResult) throws(PostgresError) -> T,
                             completion: @escaping @Sendable (Result<T, PostgresError>) -> Void) {
        pool.start(Self.pageQuery(q), transform: { result throws(PostgresError) in try Self.checked(result, transform) },
                   completion: completion)
    }

    private static func checked<T>(_ result: QueryResult, _ transform: (QueryResult) throws(PostgresError) -> T) throws(PostgresError) -> T {
        guard result.columns == columnNames else {
            throw PostgresError(.decoding, "backup_audit result columns differ from BackupAuditStore.columnNames")
        }
        return try transform(result)
    }

    /// The statement of a page. Its text depends only on which filters are present (values are
    /// bound): a few dozen shapes at most, each prepared once per connection.
    public static func pageQuery(_ q: BackupEventQuery) -> Query {
        var query: Query = "SELECT "
        query.append(Self.columns)
        query.append(" FROM backup_audit WHERE true")
        if !q.types.isEmpty { query.append(" AND event_type = ANY(\(q.types.map(\.rawValue))::text[])") }
        if !q.statuses.isEmpty { query.append(" AND status = ANY(\(q.statuses.map(\.rawValue))::text[])") }
        if let stanza = q.stanza { query.append(" AND stanza = \(stanza)") }
        if let repo = q.repo { query.append(" AND repo = \(repo)") }
        if let from = q.from { query.append(" AND occurred_at >= \(from)") }
        if let to = q.to { query.append(" AND occurred_at < \(to)") }
        if let after = q.after { query.append(" AND (occurred_at, seq) < (\(after.occurredAt), \(after.seq))") }
        query.append(" ORDER BY occurred_at DESC, seq DESC LIMIT \(q.limit + 1)")
        return query.prepared()
    }
}
