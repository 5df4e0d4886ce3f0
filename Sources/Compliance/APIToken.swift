import Chronology
import Crypto

/// A bearer token as stored: never the token itself, only its keyed hash.
public struct APIToken: Sendable, Equatable {
    public let id: String
    public let name: String
    public let role: Role
    /// Set for organization-scoped tokens (always for auditors): they never see another
    /// organization's data.
    public let organizationID: String?
    public let createdAt: Timestamp
    public let expiresAt: Timestamp?
    public let revokedAt: Timestamp?
    public let lastUsedAt: Timestamp?

    public init(id: String, name: String, role: Role, organizationID: String?, createdAt: Timestamp,
                expiresAt: Timestamp?, revokedAt: Timestamp?, lastUsedAt: Timestamp?) {
        self.id = id
        self.name = name
        self.role = role
        self.organizationID = organizationID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    /// Usable at `now`: not revoked and not expired.
    public func isActive(at now: Timestamp) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// Creates, checks and hashes bearer tokens: `imfc_` + 54 base64url characters, the 40 bytes of
/// 32 random bytes and an 8-byte check (RFC 4648 §5). Stored is HMAC-SHA256(pepper, token); the
/// pepper lives outside the database (a file or the environment), so a leaked `api_tokens`
/// table cannot be brute-forced offline.
///
/// The check is the first 8 bytes of HMAC-SHA256(K, random), K = HMAC-SHA256(pepper,
/// "immoflow-token-check-v1"): only a holder of the pepper can make a token that passes it, so a
/// token this server never issued is refused from memory, without a database lookup (a flood of
/// random `imfc_…` tokens cost one lookup each and slowed every legitimate request).
public struct TokenHasher: Sendable {
    public static let prefix = "imfc_"
    /// Characters after the prefix: 40 bytes in base64url.
    public static let encodedLength = 54
    static let randomCount = 32
    static let checkCount = 8
    private let pepper: [UInt8]
    private let checkKey: [UInt8]

    /// `pepper` must be at least 32 bytes.
    public init?(pepper: [UInt8]) {
        guard pepper.count >= 32 else { return nil }
        self.pepper = pepper
        checkKey = HMACSHA256.authenticationCode(key: pepper, message: Array("immoflow-token-check-v1".utf8))
    }

    public func hash(_ token: String) -> [UInt8] {
        HMACSHA256.authenticationCode(key: pepper, message: Array(token.utf8))
    }

    /// A new random token with its check.
    public func newToken() -> String {
        let random = SecureRandom.bytes(Self.randomCount)
        return Self.prefix + Base64URL.encode(random + check(random))
    }

    private func check(_ random: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticationCode(key: checkKey, message: random).prefix(Self.checkCount))
    }

    /// Whether `text` has a token's shape and a check only this pepper makes (constant time in
    /// the check's bytes). No database is consulted.
    public func isIssued(_ text: String) -> Bool {
        let encoded = String(text.dropFirst(Self.prefix.utf8.count))
        // One spelling per token: stray bits in the last character would make variants.
        guard Self.looksLikeToken(text), let bytes = Base64URL.decode(encoded), bytes.count == Self.randomCount + Self.checkCount,
              Base64URL.encode(bytes) == encoded else { return false }
        return ConstantTime.equals(Array(bytes.suffix(Self.checkCount)), check(Array(bytes.prefix(Self.randomCount))))
    }

    /// A cheap shape check before any hashing or lookup.
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + encodedLength
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy(Base64URL.isAlphabet)
    }
}
