import COpenSSL

/// A streaming message digest over OpenSSL's EVP interface: SHA-256 (FIPS 180-4) or MD5
/// (RFC 1321; S3's `Content-MD5` only, never for security).
///
/// One owner per context: the `EVP_MD_CTX` is freed in `deinit`; copying the value and updating
/// both copies would be a programmer error, so the type is `~Copyable`.
public struct MessageDigest: ~Copyable {
    public enum Algorithm: Sendable {
        case sha256, md5

        /// Length of a digest in bytes.
        public var digestLength: Int {
            switch self {
            case .sha256: 32
            case .md5: 16
            }
        }
    }

    public let algorithm: Algorithm
    private let context: OpaquePointer

    /// Starts a new digest.
    public init(_ algorithm: Algorithm) {
        guard let ctx = EVP_MD_CTX_new() else {
            // Allocation failure inside OpenSSL: nothing sensible can continue.
            fatalError("EVP_MD_CTX_new failed (out of memory)")
        }
        guard EVP_DigestInit_ex(ctx, Self.implementation(algorithm), nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            fatalError("EVP_DigestInit_ex failed for \(algorithm)")
        }
        self.algorithm = algorithm
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    // The implementations fetched once (OpenSSL 3 "Algorithm fetching"): EVP_sha256() names a
    // legacy object that every EVP_DigestInit_ex would look up in the provider store again, under
    // its lock — a third of the cost of hashing one short audit row. Fetched objects live for the
    // process (never freed). nonisolated(unsafe): written once at first use (Swift's lazy static
    // initialisation is thread-safe), read-only after.
    nonisolated(unsafe) private static let sha256 = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
    nonisolated(unsafe) private static let md5 = EVP_MD_fetch(nil, "MD5", nil) ?? EVP_md5()

    private static func implementation(_ algorithm: Algorithm) -> OpaquePointer? {
        switch algorithm {
        case .sha256: sha256
        case .md5: md5
        }
    }

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Feeds bytes into the digest.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Finishes the digest and returns its bytes.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        return out
    }

    /// Finishes the digest, returns its bytes and starts a new one in the same context (for an
    /// owner that hashes one item after another and cannot give the value up).
    public mutating func finalizeAndReset() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        guard EVP_DigestInit_ex(context, Self.implementation(algorithm), nil) == 1 else { fatalError("EVP_DigestInit_ex failed for \(algorithm)") }
        return out
    }

    /// One-shot digest of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ algorithm: Algorithm, _ bytes: Bytes) -> [UInt8] {
        var digest = MessageDigest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }
}
