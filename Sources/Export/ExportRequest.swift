import Chronology

/// What to export: one organization's period, under one export id and creation time — the
/// package's bytes depend on nothing else but the data (the tar headers carry `createdAt`, the
/// checkpoint is signed at it, Ed25519 signatures are deterministic), so building the same
/// request twice gives the same bytes.
public struct ExportRequest: Sendable, Equatable {
    public var exportID: String
    public var organizationID: String
    public var from: CalendarDate
    public var to: CalendarDate
    /// nil: from the organization's country.
    public var profile: ExportProfile?
    public var createdAt: Timestamp

    public init(exportID: String, organizationID: String, from: CalendarDate, to: CalendarDate, profile: ExportProfile?, createdAt: Timestamp) {
        self.exportID = exportID
        self.organizationID = organizationID
        self.from = from
        self.to = to
        self.profile = profile
        self.createdAt = createdAt
    }
}
