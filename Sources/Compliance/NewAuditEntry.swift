/// What a writer supplies for a new `audit_logs` row; the trigger assigns the rest.
public struct NewAuditEntry: Sendable, Equatable {
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    /// Canonical JSON text (`CanonicalJSON.text`).
    public var payload: String

    public init(actor: String, action: String, entity: String, entityID: String = "", payload: String) {
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.payload = payload
    }
}
