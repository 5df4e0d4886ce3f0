import Chronology

/// A recorded restore of this database (a `restore` event in `backup_audit` that succeeded):
/// when it was done and, when known, the point in time it restored to. A checkpoint taken
/// before the restore and beyond the restored head is explained by it.
public struct RestoreEvidence: Sendable, Equatable {
    public var eventID: String
    public var occurredAt: Timestamp
    public var targetTime: Timestamp?

    public init(eventID: String, occurredAt: Timestamp, targetTime: Timestamp?) {
        self.eventID = eventID
        self.occurredAt = occurredAt
        self.targetTime = targetTime
    }

    /// True when this restore can have rolled back past a checkpoint created at `created`: it
    /// happened after the checkpoint, to a point before it (or to an unrecorded point).
    public func explains(checkpointCreatedAt created: Timestamp) -> Bool {
        occurredAt > created && (targetTime.map { $0 < created } ?? true)
    }
}
