import COpenSSL

/// An Ed25519 signing key (RFC 8032) held by OpenSSL: read from a PKCS#8 PEM file
/// (`openssl genpkey -algorithm ed25519`), or made from a 32-byte seed (test vectors) or fresh
/// randomness. Its bytes never leave OpenSSL except as PEM on request (`pkcs8PEM`).
public final class Ed25519PrivateKey: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is only read after init (signing takes a fresh
    // EVP_MD_CTX each time), which OpenSSL allows from several threads.
    private let key: OpaquePointer
    public let publicKey: Ed25519PublicKey

    private init(key: OpaquePointer) throws(SigningKeyError) {
        do {
            publicKey = try Ed25519PublicKey(raw: Ed25519PublicKey.rawPublicKey(key))
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`); refuses encrypted keys
    /// and keys of other types.
    public convenience init(pem: String) throws(SigningKeyError) {
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // No password callback: an encrypted key fails here instead of prompting.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let key else { throw SigningKeyError("not an unencrypted PEM private key: \(TLSContext.queuedError())") }
        try self.init(key: key)
    }

    /// The key of a 32-byte seed (RFC 8032 §5.1.5's private key).
    public convenience init(seed: [UInt8]) throws(SigningKeyError) {
        guard seed.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw SigningKeyError("an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        try self.init(key: key)
    }

    /// A new key from OpenSSL's random generator.
    public static func generate() throws(SigningKeyError) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw SigningKeyError("cannot make a key: \(TLSContext.queuedError())") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw SigningKeyError("cannot make a key: \(TLSContext.queuedError())")
        }
        return try Ed25519PrivateKey(key: key)
    }

    /// The key as unencrypted PKCS#8 PEM (what `openssl genpkey` writes).
    public var pkcs8PEM: String {
        Ed25519PublicKey.writePEM { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    /// The 64-byte Ed25519 signature of `message` (deterministic: RFC 8032 §5.1.6).
    public func sign(_ message: [UInt8]) throws(SigningKeyError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw SigningKeyError("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
              EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == 64 else {
            throw SigningKeyError("signing failed: \(TLSContext.queuedError())")
        }
        return signature
    }
}
