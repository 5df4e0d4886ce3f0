import API
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import HTTPRouting
import HTTPServer
import Postgres

/// The application served on a loopback port over a test database, with tokens of any role:
/// what the endpoint tests share.
struct LiveAPI {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    let server: HTTPServer
    let pool: ConnectionPool

    /// Serves the whole application (no access log unless given) on an ephemeral port.
    static func start(pool: ConnectionPool, metricsRequireToken: Bool = false, accessLog: LogSink? = nil) throws -> LiveAPI {
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: hasher, pool: pool),
                                                  metricsRequireToken: metricsRequireToken), corsOrigins: [], accessLog: accessLog)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        return LiveAPI(server: server, pool: pool)
    }

    /// A new token of `role`, scoped to `organization` when given.
    func token(_ role: Role, organization: String? = nil) async throws -> String {
        try await pool.withConnection {
            try await TokenStore(hasher: Self.hasher).create(name: "\(role.rawValue)-\(UUID().uuidString.prefix(8))", role: role,
                                                            organization: organization.flatMap(UUID.init(uuidString:)), expiresAt: nil, on: $0).token
        }
    }

    /// GET `target` with `token` (none: unauthenticated) and `headers` (CRLF-terminated lines).
    func get(_ target: String, _ token: String?, headers: String = "") async throws -> RawHTTPClient.Response {
        try await RawHTTPClient.exchangeGET(port: server.port, target, headers: (token.map { "Authorization: Bearer \($0)\r\n" } ?? "") + headers)
    }

    func close() async {
        await server.shutdown()
        await pool.close()
    }
}
