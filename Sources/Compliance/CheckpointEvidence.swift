import Chronology

/// One checkpoint as the verifier finds it: the row in `audit_checkpoints` and what the WORM
/// store gave when its version was read (the object and its lock), either of them possibly
/// missing — the store is the authority (a database superuser can change the row, nobody the
/// locked version).
public struct CheckpointEvidence: Sendable {
    /// The row: the checkpoint as recorded, with its signature, storage key and version ID.
    public struct Recorded: Sendable, Equatable {
        public var checkpoint: AuditCheckpoint
        public var signature: [UInt8]
        public var storageKey: String?
        public var versionID: String?

        public init(checkpoint: AuditCheckpoint, signature: [UInt8], storageKey: String?, versionID: String?) {
            self.checkpoint = checkpoint
            self.signature = signature
            self.storageKey = storageKey
            self.versionID = versionID
        }
    }

    /// What reading the version from the store gave.
    public enum Stored: Sendable, Equatable {
        /// The object's bytes, and its lock as HEAD reported it (mode text, e.g. COMPLIANCE).
        case object([UInt8], lockMode: String?, retainUntil: Timestamp?)
        /// The store answered that the version does not exist.
        case missing
        /// The store was not asked (none configured) or could not be reached; why.
        case unchecked(String)
    }

    public var recorded: Recorded?
    public var stored: Stored
    /// Where it lives, for the report (`key@version`).
    public var location: String

    public init(recorded: Recorded?, stored: Stored, location: String) {
        self.recorded = recorded
        self.stored = stored
        self.location = location
    }
}
