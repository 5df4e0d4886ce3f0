import ObjectStore

/// A version written: where, which, and what it holds (the SHA-256 computed while reading the
/// file, hex; the lock it was written with).
public struct StoredObject: Sendable, Equatable {
    public let key: String
    public let versionID: String
    public let etag: String
    public let sha256: String
    public let size: Int64
    public let retention: ObjectRetention?
}
