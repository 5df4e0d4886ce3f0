import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import HTTP1
import HTTPRouting
import Postgres
import Synchronization

/// Bearer-token authentication and role checks (RFC 6750) for `/api/compliance/*`.
///
/// A token must pass its pepper-keyed check (`TokenHasher.isIssued`) before anything else, so a
/// token this server never issued costs no database lookup. Issued tokens are looked up by their
/// keyed hash; results are cached for `cacheTTL` (so a revocation takes effect within that time)
/// and unknown ones for a shorter time, bounded in size. Two `Authorization` fields are a 400.
/// `last_used_at` is written at most once a minute per token, off the request path.
public final class Authenticator: Sendable {
    let store: TokenStore?
    let pool: ConnectionPool
    let cacheTTL: Duration
    let negativeTTL: Duration
    let maxCacheEntries: Int
    private let cache = Mutex<[[UInt8]: Entry]>([:])

    struct Entry {
        let token: APIToken?
        let until: ContinuousClock.Instant
    }

    /// `hasher` nil: no pepper is configured, every protected request gets 503.
    public init(hasher: TokenHasher?, pool: ConnectionPool, cacheTTL: Duration = .seconds(30),
                negativeTTL: Duration = .seconds(5), maxCacheEntries: Int = 10_000) {
        store = hasher.map { TokenStore(hasher: $0) }
        self.pool = pool
        self.cacheTTL = cacheTTL
        self.negativeTTL = negativeTTL
        self.maxCacheEntries = maxCacheEntries
    }

    static let challenge = #"Bearer realm="immoflow-compliance""#

    /// The token allowed to do `permission`, or the 401/403/503 response to send instead.
    public func authorize(_ request: HTTPRequest, _ permission: Permission) async -> Result<APIToken, Refusal> {
        switch decideFromMemory(request, permission) {
        case .decided(let outcome):
            return outcome
        case .lookUp(let token, let hash, let store):
            let found: APIToken?
            do {
                found = try await pool.withConnection { try await store.find(token: token, on: $0) }
            } catch {
                return .failure(Refusal(Problem(status: 503, code: "auth_unavailable",
                                                detail: "tokens cannot be checked right now").response(headers: RetryAfter.adding())))
            }
            remember(hash, found, now: ContinuousClock.now)
            if let found { touch(found, store: store) }
            return Self.check(found, permission)
        }
    }

    /// `authorize` when it needs no database (no credentials, a malformed one, or a cached
    /// token); nil when the token must be looked up first.
    public func authorizeFromMemory(_ request: HTTPRequest, _ permission: Permission) -> Result<APIToken, Refusal>? {
        if case .decided(let outcome) = decideFromMemory(request, permission) { return outcome }
        return nil
    }

    private enum Decision {
        case decided(Result<APIToken, Refusal>)
        case lookUp(token: String, hash: [UInt8], store: TokenStore)
    }

    private func decideFromMemory(_ request: HTTPRequest, _ permission: Permission) -> Decision {
        guard let store, let hasher = store.hasher else {
            return .decided(.failure(Refusal(Problem(status: 503, code: "auth_not_configured",
                                                     detail: "token authentication is not configured on this server").response())))
        }
        let headers = request.headers.values("Authorization")
        guard let header = headers.first else {
            return .decided(.failure(Self.unauthorized(nil, "an Authorization: Bearer token is required")))
        }
        // RFC 9110 §5.3: Authorization is not a list; two of them are no credentials to pick from.
        guard headers.count == 1 else {
            var problem = Problem(status: 400, code: "invalid_header", detail: "Authorization given more than once")
            problem.extensions["header"] = .string("Authorization")
            return .decided(.failure(Refusal(problem.response())))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .decided(.failure(Self.unauthorized("invalid_request", "use the Bearer scheme")))
        }
        let token = String(parts[1].trimmingWhitespace())
        // A token we never issued fails its check: refused without touching the database.
        guard hasher.isIssued(token) else {
            return .decided(.failure(Self.unauthorized("invalid_token", "the token is malformed, unknown, expired or revoked")))
        }
        let hash = hasher.hash(token)
        if let entry = cache.withLock({ $0[hash] }), entry.until > ContinuousClock.now {
            return .decided(Self.check(entry.token, permission))
        }
        return .lookUp(token: token, hash: hash, store: store)
    }

    /// Whether a found token may do `permission` now.
    private static func check(_ found: APIToken?, _ permission: Permission) -> Result<APIToken, Refusal> {
        // Lookups compare HMAC outputs (in the cache and the unique index), never the token: without
        // the pepper an attacker cannot steer those bytes, so their timing reveals nothing.
        guard let token = found, token.isActive(at: Timestamp(Date())) else {
            return .failure(Self.unauthorized("invalid_token", "the token is malformed, unknown, expired or revoked"))
        }
        guard token.role.allows(permission) else {
            var headers = HTTPHeaders()
            headers.set("WWW-Authenticate", Self.challenge + #", error="insufficient_scope""#)
            return .failure(Refusal(Problem(status: 403, code: "forbidden",
                                            detail: "the \(token.role.rawValue) role may not do this").response(headers: headers)))
        }
        return .success(token)
    }

    /// A refused request: the response to send.
    public struct Refusal: Error, Sendable {
        public let response: HTTPResponse
        init(_ response: HTTPResponse) { self.response = response }
    }

    static func unauthorized(_ error: String?, _ detail: String) -> Refusal {
        var headers = HTTPHeaders()
        headers.set("WWW-Authenticate", Self.challenge + (error.map { #", error="\#($0)""# } ?? ""))
        return Refusal(Problem(status: 401, code: "unauthorized", detail: detail).response(headers: headers))
    }

    private func remember(_ hash: [UInt8], _ token: APIToken?, now: ContinuousClock.Instant) {
        cache.withLock { cache in
            if cache.count >= maxCacheEntries {
                cache = cache.filter { $0.value.until > now }
                if cache.count >= maxCacheEntries { cache.removeAll() }
            }
            cache[hash] = Entry(token: token, until: now + (token == nil ? negativeTTL : cacheTTL))
        }
    }

    private func touch(_ token: APIToken, store: TokenStore) {
        let pool = self.pool
        Task.detached { try? await pool.withConnection { try await store.touch(id: token.id, on: $0) } }
    }
}
