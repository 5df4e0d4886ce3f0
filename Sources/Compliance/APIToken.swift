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

/// Creates and hashes bearer tokens: `imfc_` + 43 base64url characters (32 random bytes).
/// Stored is HMAC-SHA256(pepper, token); the pepper lives outside the database (a file or the
/// environment), so a leaked `api_tokens` table cannot be brute-forced offline.
public struct TokenHasher: Sendable {
    public static let prefix = "imfc_"
    private let pepper: [UInt8]

    /// `pepper` must be at least 32 bytes.
    public init?(pepper: [UInt8]) {
        guard pepper.count >= 32 else { return nil }
        self.pepper = pepper
    }

    public func hash(_ token: String) -> [UInt8] {
        HMACSHA256.authenticationCode(key: pepper, message: Array(token.utf8))
    }

    /// A new random token.
    public static func newToken() -> String {
        prefix + Base64URL.encode(SecureRandom.bytes(32))
    }

    /// A cheap shape check before any hashing or lookup.
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 43
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy(Base64URL.isAlphabet)
    }
}
