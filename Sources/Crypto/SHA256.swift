/// Streaming SHA-256 (FIPS 180-4): a `MessageDigest` fixed to SHA-256.
public struct SHA256: ~Copyable {
    /// Length of a digest in bytes.
    public static let digestLength = 32

    private var digest = MessageDigest(.sha256)

    /// Starts a new digest.
    public init() {}

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        digest.update(bytes)
    }

    /// Feeds bytes into the digest.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        digest.update(bytes)
    }

    /// Finishes the digest and returns its 32 bytes.
    public consuming func finalize() -> [UInt8] {
        digest.finalize()
    }

    /// One-shot digest of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        MessageDigest.hash(.sha256, bytes)
    }
}
