/// A `backup_audit` row to be written, by column: the written columns (`ColumnSpec.isWritten`);
/// the columns the database assigns are NULL here.
extension NewBackupEvent: ColumnRecord {
    public typealias Column = BackupAuditColumn

    public func value(_ column: BackupAuditColumn) -> ColumnValue {
        switch column {
        case .seq, .recordedAt, .prevHash, .hash: .null
        case .eventID: eventID.columnValue
        case .runID: runID.columnValue
        case .eventType: .text(type.rawValue)
        case .status: .text(status.rawValue)
        case .occurredAt: occurredAt.columnValue
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
        }
    }

    /// The event from the written columns' values (database-assigned ones are ignored).
    public init(values v: RecordValues<BackupAuditColumn>) throws(RecordError) {
        self.init(eventID: try v.optionalText(.eventID), runID: try v.optionalText(.runID),
                  type: try v.enumeration(.eventType, BackupEventType.self), status: try v.enumeration(.status, BackupEventStatus.self),
                  occurredAt: try v.optionalTime(.occurredAt), stanza: try v.optionalText(.stanza), repo: try v.optionalInt(.repo),
                  label: try v.optionalText(.label), startedAt: try v.optionalTime(.startedAt), finishedAt: try v.optionalTime(.finishedAt),
                  sizeBytes: try v.optionalInteger(.sizeBytes), deltaBytes: try v.optionalInteger(.deltaBytes),
                  repoSizeBytes: try v.optionalInteger(.repoSizeBytes), repoDeltaBytes: try v.optionalInteger(.repoDeltaBytes),
                  walStart: try v.optionalText(.walStart), walStop: try v.optionalText(.walStop), lsnStart: try v.optionalText(.lsnStart),
                  lsnStop: try v.optionalText(.lsnStop), exitCode: try v.optionalInt(.exitCode),
                  errorMessage: try v.optionalText(.errorMessage), host: try v.optionalText(.host),
                  details: v[.details].isNull ? "{}" : try v.text(.details), idempotencyKey: try v.optionalText(.idempotencyKey),
                  requestSHA256: try v.optionalBytes(.requestSHA256))
    }
}
