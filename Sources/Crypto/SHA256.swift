import COpenSSL

/// Streaming SHA-256 (FIPS 180-4) over OpenSSL's EVP interface.
///
/// One owner per context: `SHA256` is a value wrapper around a reference-counted box whose
/// `deinit` frees the `EVP_MD_CTX`. Copying a `SHA256` value and updating both copies is a
/// programmer error, so the type is not `Copyable`-friendly by design: it is `~Copyable`.
public struct SHA256: ~Copyable {
    /// Length of a digest in bytes.
    public static let digestLength = 32

    private let context: OpaquePointer

    /// Starts a new digest.
    public init() {
        guard let ctx = EVP_MD_CTX_new() else {
            // Allocation failure inside OpenSSL: nothing sensible can continue.
            fatalError("EVP_MD_CTX_new failed (out of memory)")
        }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            fatalError("EVP_DigestInit_ex(sha256) failed")
        }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

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

    /// Finishes the digest and returns its 32 bytes.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.digestLength)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        return out
    }

    /// One-shot digest of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var digest = SHA256()
        digest.update(bytes)
        return digest.finalize()
    }
}
