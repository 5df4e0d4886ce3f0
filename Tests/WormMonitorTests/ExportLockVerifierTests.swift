import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing
@testable import WormMonitor

/// The background lock check against SeaweedFS and PostgreSQL: a version deleted, unlocked,
/// GOVERNANCE or too short becomes a failed verification naming why, and worm-status's export
/// control a violation naming the object.
@Suite struct ExportLockVerifierTests {
    @Test("locked holds; unlocked, GOVERNANCE, too short and missing fail with their reasons; each package checked once per interval")
    func verification() async throws {
        let client = try TestBucket.make("verify", prefix: "exports/")
        let file = NSTemporaryDirectory() + "verify-\(UUID().uuidString)"
        try Data("package".utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        func lock(_ mode: ObjectLockMode, _ year: Int) -> ObjectRetention { ObjectRetention(mode: mode, retainUntil: Timestamp(year: year, month: 1, day: 1)!) }
        let locked = try client.putObject(name: "org/2024/locked.tar.gz", path: file, retention: lock(.compliance, 2036))
        let unlocked = try client.putObject(name: "org/2024/unlocked.tar.gz", path: file, retention: nil)
        let governance = try client.putObject(name: "org/2024/governance.tar.gz", path: file, retention: lock(.governance, 2036))
        let short = try client.putObject(name: "org/2024/short.tar.gz", path: file, retention: lock(.compliance, 2030))

        let db = try await TestEnvironment.shared.database("worm-verifier")
        let pool = db.pool(size: 2)
        let org = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Verify GmbH', 'DE')")
            for (key, version) in [(locked.key, locked.versionID), (unlocked.key, unlocked.versionID), (governance.key, governance.versionID),
                                   (short.key, short.versionID), ("exports/org/2024/missing.tar.gz", "00000000000000000000000000000000")] {
                try await c.execute("""
                    INSERT INTO export_packages (organization_id, period_start, period_end, profile, storage_key, version_id, lock_mode, retain_until)
                    VALUES (\(org)::uuid, '2024-01-01', '2024-12-31', 'gobd', \(key), \(version), 'COMPLIANCE', '2036-01-01')
                    """)
            }
        }
        let verifier = ExportLockVerifier(client: client, pool: pool, interval: 3600)
        #expect(await verifier.bucketProblem() == nil)
        let plain = try TestBucket.make("verify-plain", prefix: "exports/", objectLock: false)
        let plainProblem = await ExportLockVerifier(client: plain, pool: pool, interval: 3600).bucketProblem()
        #expect(plainProblem?.contains("object lock is not enabled") == true, "\(plainProblem ?? "nil")")
        let now = Timestamp(Date())
        let round = try await verifier.verifyDue(now: now)
        #expect(round == .init(verified: 1, failed: 4, errors: 0))
        let rows = try await pool.query("""
            SELECT storage_key, last_verification_ok AS ok, coalesce(last_verification_problem, '') AS problem
            FROM export_packages WHERE organization_id = \(org)::uuid ORDER BY storage_key
            """)
        var results: [String: (Bool, String)] = [:]
        for row in rows { results[try row.decode(String.self, "storage_key")] = (try row.decode(Bool.self, "ok"), try row.decode(String.self, "problem")) }
        #expect(results[locked.key]?.0 == true && results[locked.key]?.1 == "")
        #expect(results[unlocked.key]?.1 == "the version is not locked")
        #expect(results[governance.key]?.1.contains("GOVERNANCE") == true)
        #expect(results[short.key]?.1 == "the version is locked until 2030-01-01T00:00:00Z, before the legal 2035-01-01T00:00:00Z")
        #expect(results["exports/org/2024/missing.tar.gz"]?.1 == "the version does not exist")

        // Checked at most once per interval.
        #expect(try await verifier.verifyDue(now: now.adding(seconds: 60)) == .init())
        #expect(try await verifier.verifyDue(now: now.adding(seconds: 3600)).verified == 1)

        // worm-status: the export control is a violation naming the objects and why.
        let evidence = try await pool.withConnection { try await ComplianceEvidenceStore().gather(on: $0, now: now, organization: org) }
        #expect(evidence.exports.failedVerificationCount == 4 && evidence.exports.verified == 5)
        #expect(evidence.exports.lastVerification == Timestamp(microsecondsSinceEpoch: (now.adding(seconds: 3600).microsecondsSinceEpoch)))
        let control = try #require(WormStatus(evidence: evidence, thresholds: ControlThresholds(), now: now).controls.first { $0.id == "export_locks" })
        #expect(control.status == .violation && control.detail.contains("\(unlocked.key): the version is not locked"), "\(control.detail)")
        await pool.close()
    }

    @Test("a store that cannot be reached is an error, not a verdict: the rows stay as they were")
    func unreachable() async throws {
        let db = try await TestEnvironment.shared.database("worm-verifier-down")
        let pool = db.pool(size: 1)
        let org = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Down GmbH', 'AT')")
            try await c.execute("""
                INSERT INTO export_packages (organization_id, period_start, period_end, profile, storage_key, version_id)
                VALUES (\(org)::uuid, '2024-01-01', '2024-12-31', 'bao', 'exports/down.tar.gz', 'v1')
                """)
        }
        var configuration = S3Configuration(endpoint: S3Endpoint(secure: false, host: "127.0.0.1", port: 1, addressing: .path), region: "us-east-1",
                                            bucket: "b", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "s"))
        configuration.timeout = 2
        configuration.attempts = 1
        let verifier = ExportLockVerifier(client: try S3Client(configuration), pool: pool, interval: 3600)
        let round = try await verifier.verifyDue(now: Timestamp(Date()))
        #expect(round == .init(verified: 0, failed: 0, errors: 1))
        let untouched = try await pool.query("SELECT count(*) AS n FROM export_packages WHERE organization_id = \(org)::uuid AND last_verified_at IS NULL")
            .single().decode(Int.self, "n")
        #expect(untouched == 1)
        await pool.close()
    }
}
