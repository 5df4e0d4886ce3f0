import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // RAND_bytes only fails when the DRBG cannot be seeded; continuing would hand out
        // predictable tokens, so this is a hard stop rather than an error to handle.
        precondition(ok == 1, "RAND_bytes failed: the system entropy source is unavailable")
        return out
    }
}
