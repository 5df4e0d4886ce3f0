import Chronology
import Compliance
import Foundation
import Postgres

/// `api_tokens`: create (returning the token once), list, revoke, and look up by keyed hash.
public struct TokenStore: Sendable {
    /// Needed to create or look up tokens; listing and revoking work without it.
    public let hasher: TokenHasher?

    public init(hasher: TokenHasher? = nil) { self.hasher = hasher }

    private func requireHasher() throws -> TokenHasher {
        guard let hasher else { throw Refusal(description: "no token pepper is configured") }
        return hasher
    }

    /// Why a token could not be created or changed, for a one-line CLI message.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    static let columns: Query = "id, name, role, organization_id, created_at, expires_at, revoked_at, last_used_at"

    /// Creates a token and returns it with its record. The token itself is never stored.
    public func create(name: String, role: Role, organization: UUID?, expiresAt: Timestamp?,
                       on connection: PooledConnection) async throws -> (token: String, record: APIToken) {
        guard name.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) != nil else {
            throw Refusal(description: "token name must be 1–64 characters of A–Z a–z 0–9 . _ -")
        }
        if role == .auditor && organization == nil {
            throw Refusal(description: "an auditor token needs --organization")
        }
        let hasher = try requireHasher()
        let token = hasher.newToken()
        var query: Query = """
            INSERT INTO api_tokens (name, token_hash, role, organization_id, expires_at)
            VALUES (\(name), \(PostgresBytes(hasher.hash(token))), \(role.rawValue), \(organization), \(expiresAt)::timestamptz)
            """
        query.append(" RETURNING ")
        query.append(Self.columns)
        do {
            return (token, try APIToken(row: try await connection.query(query).single()))
        } catch let error as PostgresError where error.category == .conflict {
            throw Refusal(description: "a token named '\(name)' already exists")
        } catch let error as PostgresError where error.sqlState == "23503" {
            throw Refusal(description: "organization \(organization?.uuidString.lowercased() ?? "") does not exist")
        }
    }

    /// Every token, newest first.
    public func list(on connection: PooledConnection) async throws -> [APIToken] {
        var query: Query = "SELECT "
        query.append(Self.columns)
        query.append(" FROM api_tokens ORDER BY created_at DESC, name")
        return try await connection.query(query).map { try APIToken(row: $0) }
    }

    /// Revokes the token named `name`; false if there is none (or it was revoked already).
    public func revoke(name: String, on connection: PooledConnection) async throws -> Bool {
        try await connection.execute("UPDATE api_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL") == 1
    }

    /// The token whose keyed hash matches, active or not (the caller decides).
    public func find(token: String, on connection: PooledConnection) async throws -> APIToken? {
        var query: Query = "SELECT "
        query.append(Self.columns)
        query.append(" FROM api_tokens WHERE token_hash = \(PostgresBytes(try requireHasher().hash(token)))")
        return try await connection.query(query).first.map { try APIToken(row: $0) }
    }

    /// Records use, at most once a minute per token (keeps hot tokens from writing on every request).
    public func touch(id: String, on connection: PooledConnection) async throws {
        try await connection.execute("""
            UPDATE api_tokens SET last_used_at = now()
            WHERE id = \(id)::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            """)
    }
}

extension APIToken {
    init(row: Row) throws {
        guard let role = Role(rawValue: try row.decode(String.self, "role")) else {
            throw PostgresError(.decoding, "unknown role in api_tokens")
        }
        self.init(id: try row.decode(String.self, "id"), name: try row.decode(String.self, "name"), role: role,
                  organizationID: try row.decode(String?.self, "organization_id"),
                  createdAt: try row.decode(Timestamp.self, "created_at"),
                  expiresAt: try row.decode(Timestamp?.self, "expires_at"),
                  revokedAt: try row.decode(Timestamp?.self, "revoked_at"),
                  lastUsedAt: try row.decode(Timestamp?.self, "last_used_at"))
    }
}
