import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import Foundation
import HTTPServer
import Postgres
import Testing

/// `GET /api/compliance/worm-status` live, on a fresh backup history.
@Suite(.serialized) struct WormStatusEndpointTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    @Test("every control with status, evidence, threshold and age; overall is the worst")
    func live() async throws {
        let db = try await TestEnvironment.shared.migratedDatabase("worm-status")
        let pool = db.pool(size: 2)
        let seconds = Int64(Date().timeIntervalSince1970)
        let events = DemoBackupHistory(now: Timestamp(secondsSinceEpoch: seconds - 60), days: 40, seed: 3).events()
        _ = try await pool.withConnection { try await BackupAuditStore().append(events, on: $0) }
        let (token, _) = try await pool.withConnection {
            try await TokenStore(hasher: Self.hasher).create(name: "w", role: .viewer, organization: nil, expiresAt: nil, on: $0)
        }
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        let port = server.port
        let response = try await RawHTTPClient.exchangeGET(port: port, "/api/compliance/worm-status",
                                                           headers: "Authorization: Bearer \(token)\r\n")
        #expect(response.status == 200, "\(response.bodyText)")
        struct Body: Decodable {
            struct Control: Decodable {
                let id: String
                let status: String
                let threshold_seconds: Int?
                let age_seconds: Int?
            }
            let status: String
            let controls: [Control]
        }
        let body = try JSONDecoder().decode(Body.self, from: Data(response.body))
        let ids = Set(body.controls.map(\.id))
        #expect(ids == ["full_backup", "diff_backup", "wal_archive_lag", "restore_test", "dr_exercise", "offsite_copy", "audit_chain", "export_locks"])
        let full = body.controls.first { $0.id == "full_backup" }!
        #expect(full.status == "ok" && (full.age_seconds ?? .max) < 86_400 && full.threshold_seconds == 86_400)
        // the test cluster does not archive WAL, and nothing verified the chain yet
        #expect(body.controls.first { $0.id == "wal_archive_lag" }!.status == "violation")
        #expect(body.controls.first { $0.id == "audit_chain" }!.status == "unknown")
        #expect(body.status == "violation")
        let unauthorized = try await RawHTTPClient.exchangeGET(port: port, "/api/compliance/worm-status")
        #expect(unauthorized.status == 401)
        await server.shutdown()
        await pool.close()
    }
}
