/// The kinds of event recorded in `backup_audit` (migrations/0003_backup_audit.sql).
public enum BackupEventType: String, Sendable, CaseIterable, Codable {
    case backupFull = "backup_full"
    case backupDiff = "backup_diff"
    case backupIncr = "backup_incr"
    case check
    case expire
    case offsiteCopy = "offsite_copy"
    case stanzaCreate = "stanza_create"
    case walArchive = "wal_archive"
    case restore
    case restoreTest = "restore_test"
    case drExercise = "dr_exercise"
    case verify
    case exportCreated = "export_created"
    case wormLocked = "worm_locked"
    case legalHold = "legal_hold"
}

/// The states of one attempt: `started`, then one outcome.
public enum BackupEventStatus: String, Sendable, CaseIterable, Codable {
    case started
    case succeeded
    /// rc 0, but pgBackRest reported page-checksum errors (info `error: true`).
    case completedWithErrors = "completed_with_errors"
    case failed
}
