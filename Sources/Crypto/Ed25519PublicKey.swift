import COpenSSL

/// An Ed25519 public key (RFC 8032): its 32 raw bytes, read from and written as PEM
/// (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo, RFC 8410), and signature verification
/// through OpenSSL's EVP interface.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The 32 bytes of the encoded point (RFC 8032 §5.1.5).
    public let raw: [UInt8]

    public init(raw: [UInt8]) throws(SigningKeyError) {
        guard raw.count == 32 else { throw SigningKeyError("an Ed25519 public key is 32 bytes, not \(raw.count)") }
        self.raw = raw
    }

    /// Reads a PEM SubjectPublicKeyInfo of an Ed25519 key.
    public init(pem: String) throws(SigningKeyError) {
        let key = try Self.readPEM(pem)
        defer { EVP_PKEY_free(key) }
        self.raw = try Self.rawPublicKey(key)
    }

    /// A short, stable name of the key: the first 8 bytes of SHA-256 over the raw key, in hex
    /// (16 characters). Checkpoints carry it, so a verifier knows which pinned key to use.
    public var keyID: String { Hex.encode(SHA256.hash(raw).prefix(8)) }

    /// The key as PEM SubjectPublicKeyInfo (what `openssl pkey -pubout` writes).
    public var pem: String {
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else { return "" }
        defer { EVP_PKEY_free(key) }
        return Self.writePEM { PEM_write_bio_PUBKEY($0, key) }
    }

    /// True when `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == 64, let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let ok = EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        ERR_clear_error()
        return ok
    }

    static func readPEM(_ pem: String) throws(SigningKeyError) -> OpaquePointer {
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key else {
            throw SigningKeyError("not a PEM public key: \(TLSContext.queuedError())")
        }
        return key
    }

    /// The raw public key of an Ed25519 EVP_PKEY; refuses other key types.
    static func rawPublicKey(_ key: OpaquePointer) throws(SigningKeyError) -> [UInt8] {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            throw SigningKeyError("the key is not an Ed25519 key (openssl genpkey -algorithm ed25519 makes one)")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else {
            throw SigningKeyError("cannot read the public key: \(TLSContext.queuedError())")
        }
        return raw
    }

    /// What `write` puts into a memory BIO, as text.
    static func writePEM(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let length = imfc_bio_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
