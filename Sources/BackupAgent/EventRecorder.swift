import Compliance

/// Stores events, or spools them when the database cannot be reached. Before storing anything
/// new it delivers what is spooled, so the history keeps the order events happened in.
public struct EventRecorder: Sendable {
    public enum Outcome: Sendable, Equatable {
        case stored
        /// Stored, but the spool could not be read (events waiting there stay undelivered).
        case storedSpoolUnusable(String)
        /// Written to the spool; the reason the database was not used.
        case spooled(String)
    }

    let store: (any EventStoring)?
    let spool: any EventSpooling
    /// Why there is no store (no DATABASE_URL), for the spool message.
    let unavailableReason: String?

    public init(store: (any EventStoring)?, spool: any EventSpooling, unavailableReason: String? = nil) {
        self.store = store
        self.spool = spool
        self.unavailableReason = unavailableReason
    }

    /// Stores `event` (after the spool), or spools it. Throws only when both fail. `delivered`
    /// tells what a spool delivery on the way did (for the caller's message about rejected lines).
    public func record(_ event: NewBackupEvent) async throws -> (outcome: Outcome, delivered: SpoolDelivery?) {
        guard let store else {
            try spool.append(event)
            return (.spooled(unavailableReason ?? "no database configured"), nil)
        }
        var spoolFailure: EventSpool.Failure?
        var delivery: SpoolDelivery?
        do {
            delivery = try await spool.deliver { pending in try await store.store(pending) }
        } catch let failure as EventSpool.Failure {
            // An unusable spool must not cost this event: store it directly.
            spoolFailure = failure
        } catch {
            try spool.append(event)
            return (.spooled(String(describing: error)), nil)
        }
        do {
            try await store.store([event])
        } catch {
            if let spoolFailure { throw spoolFailure }
            try spool.append(event)
            return (.spooled(String(describing: error)), delivery)
        }
        return (spoolFailure.map { .storedSpoolUnusable($0.description) } ?? .stored, delivery)
    }

    /// Delivers the spool.
    public func flush() async throws -> SpoolDelivery {
        guard let store else { throw EventSpool.Failure(description: unavailableReason ?? "no database configured") }
        return try await spool.deliver { pending in try await store.store(pending) }
    }
}
