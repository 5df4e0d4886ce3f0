import Chronology
import ComplianceTesting
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing

/// `serve` with IMMOFLOW_WORM_BUCKET set checks export packages' locks by itself.
@Suite struct ServeWormVerificationTests {
    @Test("serve --worm-verify-interval 1 records a verdict for a package within seconds; a bad store configuration is a usage error")
    func serveVerifies() async throws {
        let server = try SeaweedFS.shared()
        let client = try TestBucket.make("serve-verify")
        let bucket = client.configuration.bucket
        let file = NSTemporaryDirectory() + "serve-verify-\(UUID().uuidString)"
        try Data("p".utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        let unlocked = try client.putObject(name: "unlocked.tar.gz", path: file, retention: nil)

        let db = try await TestEnvironment.shared.database("serve-worm-verify")
        let pool = db.pool(size: 1)
        let org = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Serve GmbH', 'DE')")
            try await c.execute("""
                INSERT INTO export_packages (organization_id, period_start, period_end, profile, storage_key, version_id)
                VALUES (\(org)::uuid, '2024-01-01', '2024-12-31', 'gobd', \(unlocked.key), \(unlocked.versionID))
                """)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = db.url
        environment["AWS_ACCESS_KEY_ID"] = SeaweedFS.adminKey
        environment["AWS_SECRET_ACCESS_KEY"] = SeaweedFS.adminSecret
        environment["AWS_ENDPOINT_URL_S3"] = server.httpURL
        environment["IMMOFLOW_WORM_BUCKET"] = bucket
        let port = try TestCluster.freePort()
        let log = NSTemporaryDirectory() + "serve-worm-\(UUID().uuidString).log"
        defer { unlink(log) }
        let pid = try ProcessRunner.spawn([try TestBinary.path(), "serve", "--port", String(port), "--worm-verify-interval", "1", "--no-access-log"],
                                          environment: environment, logPath: log)
        var verdict = false
        for _ in 0..<80 where !verdict {
            try await Task.sleep(for: .milliseconds(250))
            let rows = try await pool.query("SELECT coalesce(last_verification_problem, '') AS p FROM export_packages WHERE organization_id = \(org)::uuid AND last_verified_at IS NOT NULL")
            verdict = (try? rows.single().decode(String.self, "p")) == "the version is not locked"
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = await eventually(within: 15) { waitpid(pid, &status, WNOHANG) == pid }
        #expect(verdict, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        environment["AWS_ENDPOINT_URL_S3"] = "ftp://nowhere"
        let refused = try await Blocking.run { [environment] in
            try ProcessRunner.run([try TestBinary.path(), "serve", "--port", "0"], environment: environment)
        }
        #expect(refused.status == 64 && refused.stderr.contains("endpoint"), "\(refused.stderr)")
        await pool.close()
    }
}
