import Compliance

/// What `backup run --type` wraps (the seed's §3 schedule), and the event type it records.
public enum BackupRunKind: String, Sendable, CaseIterable {
    case full, diff, incr, check, expire, offsite
    case stanzaCreate = "stanza-create"

    public var eventType: BackupEventType {
        switch self {
        case .full: .backupFull
        case .diff: .backupDiff
        case .incr: .backupIncr
        case .check: .check
        case .expire: .expire
        case .offsite: .offsiteCopy
        case .stanzaCreate: .stanzaCreate
        }
    }

    /// Runs that create a backup set: annotated, and looked up in `info` afterwards. An offsite
    /// copy is a backup into repo 2 when it is pgBackRest; its label is looked up as well.
    public var createsBackup: Bool { [.full, .diff, .incr, .offsite].contains(self) }
}
