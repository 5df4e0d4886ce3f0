/// A stored `backup_audit` row by column (`BackupAuditColumn`): the one mapping between the
/// struct's properties and the table.
extension BackupEvent: DecodableColumnRecord {
    public typealias Column = BackupAuditColumn

    public func value(_ column: BackupAuditColumn) -> ColumnValue {
        switch column {
        case .seq: .integer(seq)
        case .eventID: .text(eventID)
        case .runID: runID.columnValue
        case .eventType: .text(type.rawValue)
        case .status: .text(status.rawValue)
        case .occurredAt: .time(occurredAt)
        case .recordedAt: .time(recordedAt)
        case .stanza: stanza.columnValue
        case .repo: repo.columnValue
        case .label: label.columnValue
        case .startedAt: startedAt.columnValue
        case .finishedAt: finishedAt.columnValue
        case .sizeBytes: sizeBytes.columnValue
        case .deltaBytes: deltaBytes.columnValue
        case .repoSizeBytes: repoSizeBytes.columnValue
        case .repoDeltaBytes: repoDeltaBytes.columnValue
        case .walStart: walStart.columnValue
        case .walStop: walStop.columnValue
        case .lsnStart: lsnStart.columnValue
        case .lsnStop: lsnStop.columnValue
        case .exitCode: exitCode.columnValue
        case .errorMessage: errorMessage.columnValue
        case .host: host.columnValue
        case .details: .text(details)
        case .idempotencyKey: idempotencyKey.columnValue
        case .requestSHA256: requestSHA256.columnValue
        case .prevHash: .bytes(prevHash)
        case .hash: .bytes(hash)
        }
    }

    public init(values v: RecordValues<BackupAuditColumn>) throws(RecordError) {
        self.init(seq: try v.integer(.seq), eventID: try v.text(.eventID), runID: try v.optionalText(.runID),
                  type: try v.enumeration(.eventType, BackupEventType.self), status: try v.enumeration(.status, BackupEventStatus.self),
                  occurredAt: try v.time(.occurredAt), recordedAt: try v.time(.recordedAt), stanza: try v.optionalText(.stanza),
                  repo: try v.optionalInt(.repo), label: try v.optionalText(.label), startedAt: try v.optionalTime(.startedAt),
                  finishedAt: try v.optionalTime(.finishedAt), sizeBytes: try v.optionalInteger(.sizeBytes),
                  deltaBytes: try v.optionalInteger(.deltaBytes), repoSizeBytes: try v.optionalInteger(.repoSizeBytes),
                  repoDeltaBytes: try v.optionalInteger(.repoDeltaBytes), walStart: try v.optionalText(.walStart),
                  walStop: try v.optionalText(.walStop), lsnStart: try v.optionalText(.lsnStart), lsnStop: try v.optionalText(.lsnStop),
                  exitCode: try v.optionalInt(.exitCode), errorMessage: try v.optionalText(.errorMessage), host: try v.optionalText(.host),
                  details: try v.text(.details), idempotencyKey: try v.optionalText(.idempotencyKey),
                  requestSHA256: try v.optionalBytes(.requestSHA256), prevHash: try v.bytes(.prevHash), hash: try v.bytes(.hash))
    }
}
