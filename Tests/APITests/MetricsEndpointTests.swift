@testable import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import Foundation
import HTTPServer
import Postgres
import Testing

/// `/api/metrics` live: the seed's names with the values of the history, accepted by
/// `promtool check metrics`; and the seed's alert rules checked and unit-tested by promtool.
@Suite(.serialized) struct MetricsEndpointTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!

    @Test("the seed's metric names, labelled by stanza, with the newest values; promtool accepts the output")
    func metrics() async throws {
        let db = try await TestEnvironment.shared.migratedDatabase("metrics")
        let pool = db.pool(size: 2)
        let seconds = Int64(Date().timeIntervalSince1970)
        let events = DemoBackupHistory(now: Timestamp(secondsSinceEpoch: seconds - 60), days: 20, seed: 11).events()
        _ = try await pool.withConnection { try await BackupAuditStore().append(events, on: $0) }
        let newestFull = events.filter { $0.type == .backupFull && $0.status == .succeeded }.compactMap(\.occurredAt).max()!
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        _ = try await RawHTTPClient.exchangeGET(port: server.port, "/health")
        let r = try await RawHTTPClient.exchangeGET(port: server.port, "/api/metrics")
        #expect(r.status == 200 && r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = r.bodyText
        for name in ["pgbackrest_backup_last_full_timestamp", "pgbackrest_backup_last_diff_timestamp", "pgbackrest_restore_test_success",
                     "pgbackrest_backup_size_bytes", "pgbackrest_restore_test_last_timestamp", "compliance_control_status",
                     "compliance_export_packages", "http_requests_total", "http_request_duration_seconds_bucket",
                     "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"] {
            #expect(text.contains("\n\(name)") || text.hasPrefix(name), "missing \(name)")
        }
        #expect(text.contains("pgbackrest_backup_last_full_timestamp{stanza=\"prod\"} \(newestFull.secondsSinceEpoch)"))
        #expect(text.contains(#"http_requests_total{route="/health",method="GET",status="200"} 1"#))
        #expect(text.contains(#"compliance_control_status{control="full_backup"} 0"#))
        #expect(text.contains("immoflow_build_info{version=\"\(BuildInfo.version)\"} 1"))
        // archiving is off in the test cluster: no lag series rather than a misleading 0
        #expect(!text.contains("pgbackrest_wal_archive_lag_seconds{") && text.contains("pgbackrest_wal_archiving_up 0"))
        let check = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "metrics"], input: text) }
        #expect(check.status == 0, "promtool check metrics: \(check.stdout) \(check.stderr)")
        await server.shutdown()
        await pool.close()
    }

    @Test("with --metrics-token-required, /api/metrics needs a token")
    func protected() async throws {
        let db = try await TestEnvironment.shared.database("metrics-auth")
        let pool = db.pool(size: 2)
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool),
                                                  metricsRequireToken: true), corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        #expect(try await RawHTTPClient.exchangeGET(port: server.port, "/api/metrics").status == 401)
        await server.shutdown()
        await pool.close()
    }
}

/// The seed's alert rules in deploy/prometheus, checked and unit-tested by the real promtool.
@Suite struct PrometheusRulesTests {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/prometheus").path
    }

    @Test("promtool check rules and promtool test rules pass (BackupFailure, WALLagExceedsRPO, RestoreTestFailure, BackupStorageHigh, BackupSizeDrop fire and resolve)")
    func rules() async throws {
        let dir = Self.directory
        let check = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "rules", dir + "/backup.yml"]) }
        #expect(check.status == 0, "\(check.stdout)\(check.stderr) — is promtool installed? apt-get install prometheus")
        let test = try await Blocking.run { try ProcessRunner.run(["promtool", "test", "rules", "backup_test.yml"], workingDirectory: dir) }
        #expect(test.status == 0 && test.stdout.contains("SUCCESS"), "\(test.stdout)\(test.stderr)")
    }
}
