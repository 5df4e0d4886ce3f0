import COpenSSL

/// HMAC-SHA256 (RFC 2104, test vectors in RFC 4231), one-shot.
public enum HMACSHA256 {
    /// Computes HMAC-SHA256(key, message).
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    // HMAC() with a NULL key pointer hashes with an empty key; pass a valid pointer.
                    var zero: UInt8 = 0
                    let keyPointer = k.baseAddress ?? withUnsafePointer(to: &zero) { $0 }
                    _ = HMAC(EVP_sha256(), keyPointer, Int32(k.count), m.baseAddress ?? keyPointer, m.count,
                             o.baseAddress, &length)
                }
            }
        }
        return out
    }
}
