import Chronology

/// One `audit_logs` row as the bytes the database delivered, borrowed for one call (a binary
/// COPY tuple: nothing is copied into Strings on the verification path). `organization` is the
/// uuid's lowercase text (36 bytes), the text fields their stored UTF-8, the hashes 32 bytes.
public struct AuditRowBytes {
    public var organization: UnsafeRawBufferPointer
    public var seq: Int64
    public var occurredAt: Timestamp
    public var actor: UnsafeRawBufferPointer
    public var action: UnsafeRawBufferPointer
    public var entity: UnsafeRawBufferPointer
    public var entityID: UnsafeRawBufferPointer
    public var payload: UnsafeRawBufferPointer
    public var prevHash: UnsafeRawBufferPointer
    public var hash: UnsafeRawBufferPointer

    public init(organization: UnsafeRawBufferPointer, seq: Int64, occurredAt: Timestamp, actor: UnsafeRawBufferPointer,
                action: UnsafeRawBufferPointer, entity: UnsafeRawBufferPointer, entityID: UnsafeRawBufferPointer,
                payload: UnsafeRawBufferPointer, prevHash: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer) {
        self.organization = organization
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
}
