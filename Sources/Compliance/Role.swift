/// What a bearer token may do. Roles are not a strict hierarchy: an auditor is confined to one
/// organization's exports, an operator records backup events, an admin may do everything.
public enum Role: String, Sendable, CaseIterable, Codable {
    case viewer, auditor, `operator`, admin

    /// Permissions by role.
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): return true
        case (.viewer, .readCompliance), (.viewer, .readMetrics): return true
        case (.operator, .readCompliance), (.operator, .readMetrics), (.operator, .recordBackupEvents): return true
        case (.auditor, .readExports), (.auditor, .readCompliance): return true
        default: return false
        }
    }
}

/// An action an endpoint requires.
public enum Permission: String, Sendable {
    /// Backup history and WORM/compliance status.
    case readCompliance = "read_compliance"
    /// `/api/metrics` when it is token-protected.
    case readMetrics = "read_metrics"
    /// `POST /api/compliance/backup-events`.
    case recordBackupEvents = "record_backup_events"
    /// Export packages of the token's organization.
    case readExports = "read_exports"
    /// Token management and other administration.
    case administer
}
