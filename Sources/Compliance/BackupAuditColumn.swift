/// The columns of `backup_audit` (migrations/0003_backup_audit.sql), in table order: the one
/// description from which the store's SQL, row decoding, the API's JSON and CSV, the page writer,
/// the writers' JSON (POST body, spool) and the backup-audit-v1 chain follow.
public enum BackupAuditColumn: Int, RecordColumns {
    case seq, eventID, runID, eventType, status, occurredAt, recordedAt, stanza, repo, label, startedAt, finishedAt,
         sizeBytes, deltaBytes, repoSizeBytes, repoDeltaBytes, walStart, walStop, lsnStart, lsnStop, exitCode,
         errorMessage, host, details, idempotencyKey, requestSHA256, prevHash, hash

    public static let table = "backup_audit"

    /// The cases are declared in table order, so the raw value is the position.
    public var index: Int { rawValue }
    public static let columnNames = allCases.map { $0.spec.column }

    static let uint63: ClosedRange<Int64> = 0...Int64.max
    static let typeNames = BackupEventType.allCases.map(\.rawValue)
    static let statusNames = BackupEventStatus.allCases.map(\.rawValue)

    public var spec: ColumnSpec {
        switch self {
        case .seq: ColumnSpec("seq", .bigint, nullable: false, source: .database)
        // The trigger assigns event_id and occurred_at when a writer leaves them out.
        case .eventID: ColumnSpec("event_id", .uuid, nullable: false, source: .body(required: false), rule: .uuid)
        case .runID: ColumnSpec("run_id", .uuid, nullable: true, source: .body(required: false), rule: .uuid)
        case .eventType:
            ColumnSpec("event_type", .text, nullable: false, member: "type", source: .body(required: true),
                       rule: .oneOf(Self.typeNames), maxLength: 32)
        case .status:
            ColumnSpec("status", .text, nullable: false, source: .body(required: true),
                       rule: .oneOf(Self.statusNames), maxLength: 32)
        case .occurredAt: ColumnSpec("occurred_at", .timestamptz, nullable: false, source: .body(required: false), rule: .time)
        case .recordedAt: ColumnSpec("recorded_at", .timestamptz, nullable: false, source: .database)
        case .stanza: ColumnSpec("stanza", .text, nullable: true, source: .body(required: false), rule: .visibleASCII(max: 64), maxLength: 64)
        case .repo: ColumnSpec("repo", .smallint, nullable: true, source: .body(required: false), rule: .range(1...256))
        case .label: ColumnSpec("label", .text, nullable: true, source: .body(required: false), rule: .visibleASCII(max: 128), maxLength: 128)
        case .startedAt: ColumnSpec("started_at", .timestamptz, nullable: true, source: .body(required: false), rule: .time)
        case .finishedAt: ColumnSpec("finished_at", .timestamptz, nullable: true, source: .body(required: false), rule: .time)
        case .sizeBytes: ColumnSpec("size_bytes", .bigint, nullable: true, source: .body(required: false), rule: .range(Self.uint63))
        case .deltaBytes: ColumnSpec("delta_bytes", .bigint, nullable: true, source: .body(required: false), rule: .range(Self.uint63))
        case .repoSizeBytes: ColumnSpec("repo_size_bytes", .bigint, nullable: true, source: .body(required: false), rule: .range(Self.uint63))
        case .repoDeltaBytes:
            ColumnSpec("repo_delta_bytes", .bigint, nullable: true, source: .body(required: false), rule: .range(Self.uint63))
        case .walStart: ColumnSpec("wal_start", .text, nullable: true, source: .body(required: false), rule: .walSegment, maxLength: 24)
        case .walStop: ColumnSpec("wal_stop", .text, nullable: true, source: .body(required: false), rule: .walSegment, maxLength: 24)
        case .lsnStart: ColumnSpec("lsn_start", .text, nullable: true, source: .body(required: false), rule: .lsn, maxLength: 17)
        case .lsnStop: ColumnSpec("lsn_stop", .text, nullable: true, source: .body(required: false), rule: .lsn, maxLength: 17)
        case .exitCode: ColumnSpec("exit_code", .integer, nullable: true, source: .body(required: false), rule: .range(0...255))
        case .errorMessage:
            ColumnSpec("error_message", .text, nullable: true, member: "error", source: .body(required: false), rule: .text(max: 4000),
                       maxLength: 4000)
        case .host: ColumnSpec("host", .text, nullable: true, source: .body(required: false), rule: .text(max: 255), maxLength: 255)
        case .details: ColumnSpec("details", .jsonObjectText, nullable: false, source: .body(required: false), rule: .jsonObject(maxBytes: 65_536))
        // From the API's Idempotency-Key header (as `api:<key>`) or a writer's own key; with the
        // request's hash, so a retry can be told from a conflict.
        case .idempotencyKey: ColumnSpec("idempotency_key", .text, nullable: true, source: .writer, maxLength: 255)
        case .requestSHA256: ColumnSpec("request_sha256", .bytea, nullable: true, source: .writer)
        // The previous hash is the preimage's prefix, the hash its result: neither is a field.
        case .prevHash: ColumnSpec("prev_hash", .bytea, nullable: false, chained: false, source: .database)
        case .hash: ColumnSpec("hash", .bytea, nullable: false, chained: false, source: .database)
        }
    }

    /// The columns, with `duration_seconds` (finished_at − started_at) after `finished_at`.
    public static let members: [RecordMember<BackupAuditColumn>] = allCases.flatMap { column -> [RecordMember<BackupAuditColumn>] in
        column == .finishedAt
            ? [.column(column), .secondsBetween(member: "duration_seconds", from: .startedAt, to: .finishedAt)]
            : [.column(column)]
    }
}
