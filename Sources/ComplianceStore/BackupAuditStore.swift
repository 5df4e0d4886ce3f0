import Chronology
import Compliance
import Foundation
import Postgres

/// Appends and reads `backup_audit` events (one global hash chain).
public struct BackupAuditStore: Sendable {
    public init() {}

    /// Every column, in table order (`BackupAuditColumn`).
    static let columns = RecordSQL.selectList(BackupAuditColumn.self)

    /// Decodes rows selected with `columns`, after checking the result has exactly those columns.
    public static func events(_ result: QueryResult) throws -> [BackupEvent] {
        try RecordSQL.records(result, as: BackupEvent.self)
    }

    /// The INSERT of one event (without RETURNING), secrets removed from its free text first:
    /// every path into this append-only table passes here.
    private func insert(_ e: NewBackupEvent) -> Query { RecordSQL.insert(e.redactingSecrets()) }

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

    /// Appends events in one statement, in array order; returns how many were written. Events
    /// without an id get one from the trigger; keys and request hashes are not taken here.
    @discardableResult
    public func append(_ events: [NewBackupEvent], on connection: PooledConnection) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let columns = BackupAuditColumn.allCases.filter { $0.spec.isBodyMember }
        return try await connection.execute(RecordSQL.insertMany(events.map { $0.redactingSecrets() }, columns: columns))
    }

    /// Up to `limit` events with `seq > afterSeq`, in seq order.
    public func events(afterSeq: Int64, limit: Int, on connection: PooledConnection) async throws -> [BackupEvent] {
        var query: Query = "SELECT "
        query.append(Self.columns)
        query.append(" FROM backup_audit WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(limit)")
        return try Self.events(try await connection.query(query))
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
    /// exists), in `BackupAuditColumn` order — for writers that transcode the binary result directly.
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
        try RecordSQL.check(result, BackupAuditColumn.self)
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
