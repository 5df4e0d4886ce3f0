import Chronology
import Foundation

/// One row of an organization's `audit_logs` chain.
public struct AuditEntry: Sendable, Equatable {
    /// `uuid::text`: lowercase and hyphenated. Swift's `UUID.uuidString` is uppercase, so build
    /// this from the database's text or with `init(organization:…)`, which lowercases.
    public var organizationID: String
    public var seq: Int64
    public var occurredAt: Timestamp
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    /// Canonical JSON text exactly as stored; never re-serialised before hashing.
    public var payload: String
    public var prevHash: [UInt8]
    public var hash: [UInt8]

    public init(organizationID: String, seq: Int64, occurredAt: Timestamp, actor: String, action: String,
                entity: String, entityID: String, payload: String, prevHash: [UInt8], hash: [UInt8]) {
        self.organizationID = organizationID
        self.seq = seq
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.payload = payload
        self.prevHash = prevHash
        self.hash = hash
    }

    /// An entry for a Foundation `UUID`, rendered lowercase as PostgreSQL does.
    public init(organization: UUID, seq: Int64, occurredAt: Timestamp, actor: String, action: String,
                entity: String, entityID: String = "", payload: String, prevHash: [UInt8] = AuditChain.genesis,
                hash: [UInt8] = []) {
        self.init(organizationID: organization.uuidString.lowercased(), seq: seq, occurredAt: occurredAt,
                  actor: actor, action: action, entity: entity, entityID: entityID, payload: payload,
                  prevHash: prevHash, hash: hash)
    }
}
