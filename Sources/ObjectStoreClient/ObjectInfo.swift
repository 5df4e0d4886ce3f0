import Chronology
import ObjectStore

/// What HeadObject says of a version.
public struct ObjectInfo: Sendable, Equatable {
    public let versionID: String?
    public let size: Int64
    public let etag: String?
    /// `x-amz-checksum-sha256` (base64) when the server keeps it.
    public let checksumSHA256: String?
    public let retention: ObjectRetention?
    public let legalHold: LegalHold?
}
