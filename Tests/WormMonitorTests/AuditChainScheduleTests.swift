import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing

/// `serve` verifies the audit chains and writes checkpoints on its schedule: with a signing key
/// and a WORM store both happen; without a key, serve writes no checkpoints and says so with a
/// warning (issue 15, item 3), and verification still runs. PostgreSQL and SeaweedFS are started
/// by the harness; a test fails when either cannot start.
@Suite struct AuditChainScheduleTests {
    func database(_ label: String) async throws -> (TestDatabase, ConnectionPool, String) {
        let db = try await TestEnvironment.shared.migratedDatabase(label)
        let pool = db.pool(size: 1)
        let org = UUID().uuidString.lowercased()
        _ = try await pool.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Schedule GmbH', 'AT')")
        try await pool.withConnection { c in
            _ = try await AuditLogStore().append((1...5).map { NewAuditEntry(actor: "user:1", action: "insert", entity: "tenants", payload: #"{"n":\#($0)}"#) },
                                                 organization: UUID(uuidString: org)!, on: c)
        }
        return (db, pool, org)
    }

    /// Runs serve with `arguments` until `done` holds (or 20 s), then stops it; returns its log.
    func serve(_ environment: [String: String], _ arguments: [String], until done: () async throws -> Bool) async throws -> (Bool, String) {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "IMMOFLOW_SIGNING_KEY_FILE")
        env.removeValue(forKey: "IMMOFLOW_WORM_BUCKET")
        env.merge(environment) { $1 }
        let log = NSTemporaryDirectory() + "serve-audit-\(UUID().uuidString).log"
        defer { unlink(log) }
        let pid = try ProcessRunner.spawn([try TestBinary.path(), "serve", "--port", String(try TestCluster.freePort()), "--no-access-log"] + arguments,
                                          environment: env, logPath: log)
        var reached = false
        for _ in 0..<80 where !reached {
            try await Task.sleep(for: .milliseconds(250))
            reached = try await done()
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = await eventually(within: 15) { waitpid(pid, &status, WNOHANG) == pid }
        return (reached, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test("with a key and a WORM store: a checkpoint locked and recorded, and the chain's verification recorded")
    func checkpointsAndVerification() async throws {
        let (db, pool, org) = try await database("serve-audit")
        let server = try SeaweedFS.shared()
        let bucket = try TestBucket.make("serve-audit").configuration.bucket
        let keyFile = NSTemporaryDirectory() + "serve-key-\(UUID().uuidString).pem"
        try Ed25519PrivateKey.generate().pkcs8PEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        defer { unlink(keyFile) }
        let environment = ["DATABASE_URL": db.url, "AWS_ACCESS_KEY_ID": SeaweedFS.adminKey, "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret,
                           "AWS_ENDPOINT_URL_S3": server.httpURL, "IMMOFLOW_WORM_BUCKET": bucket, "IMMOFLOW_SIGNING_KEY_FILE": keyFile]
        let (reached, log) = try await serve(environment, ["--audit-checkpoint-interval", "1", "--audit-verify-interval", "1"]) {
            let row = try await pool.query("""
                SELECT (SELECT count(*) FROM audit_checkpoints WHERE organization_id = \(org)::uuid AND seq = 5 AND version_id IS NOT NULL) AS c,
                       (SELECT count(*) FROM audit_chain_verifications WHERE organization_id = \(org)::uuid AND ok) AS v
                """).single()
            return try row.decode(Int64.self, "c") >= 1 && row.decode(Int64.self, "v") >= 1
        }
        #expect(reached, "\(log)")
        #expect(log.contains("audit checkpoints: 1 written"), "\(log)")
        await pool.close()
    }

    @Test("without a signing key: serve warns that it writes no checkpoints, and still records the verification (backup_audit too)")
    func withoutKey() async throws {
        let (db, pool, _) = try await database("serve-audit-nokey")
        let (reached, log) = try await serve(["DATABASE_URL": db.url], ["--audit-verify-interval", "1"]) {
            try await pool.query("SELECT count(*) AS n FROM audit_chain_verifications WHERE chain = 'backup_audit'").single().decode(Int64.self, "n") >= 1
        }
        #expect(reached, "\(log)")
        #expect(log.contains("warning: audit checkpoints are skipped: IMMOFLOW_SIGNING_KEY_FILE is not set"), "\(log)")
        await pool.close()
    }
}
