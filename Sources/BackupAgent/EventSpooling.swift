import Compliance

/// Where events go when the database cannot take them (`EventSpool` on disk; fakes in tests).
/// A spool that cannot be used throws `EventSpool.Failure`; any other error from `deliver` is the
/// store's (the recorder tells the two apart: an unusable spool must not cost a new event).
public protocol EventSpooling: Sendable {
    /// Shown in messages.
    var path: String { get }
    /// Appends `event` durably, or throws and leaves the spool as it was.
    func append(_ event: NewBackupEvent) throws
    /// Hands every spooled event to `deliver` in order and empties the spool when it returns;
    /// unreadable lines are set aside (never dropped) and counted.
    func deliver(_ deliver: ([NewBackupEvent]) async throws -> Void) async throws -> SpoolDelivery
}

/// What one delivery of the spool did.
public struct SpoolDelivery: Sendable, Equatable {
    /// Events handed to the store.
    public var delivered: Int
    /// Lines that could not be read, moved to `<spool>.rejected`.
    public var rejected: Int

    public init(delivered: Int, rejected: Int) {
        self.delivered = delivered
        self.rejected = rejected
    }
}
