import ComplianceTesting
import Foundation
import ObjectStore
@testable import ObjectStoreClient
import Postgres
import Testing

/// `immoflow-compliance worm …` run as the real program against SeaweedFS and PostgreSQL: what
/// it prints, its exit codes (0 done/valid, 1 could not, 2 checked and found problems, 64
/// usage), and the events it records.
@Suite(.serialized) struct WormCommandTests {
    struct Fixture {
        let client: S3Client
        let environment: [String: String]
        let pool: ConnectionPool
        let spool: String
    }

    func fixture(_ label: String) async throws -> Fixture {
        let client = try S3Fixture.bucket(label)
        let server = try SeaweedFS.shared()
        let db = try await TestEnvironment.shared.database("worm-command")
        let spool = NSTemporaryDirectory() + "worm-spool-\(UUID().uuidString).jsonl"
        let environment = ["AWS_ACCESS_KEY_ID": SeaweedFS.adminKey, "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret, "AWS_REGION": "eu-central-1",
                           "AWS_ENDPOINT_URL_S3": server.httpsURL, "AWS_CA_BUNDLE": server.caCertificate,
                           "IMMOFLOW_WORM_BUCKET": client.configuration.bucket, "IMMOFLOW_WORM_PREFIX": "exports",
                           "DATABASE_URL": db.url, "IMMOFLOW_SPOOL": spool]
        return Fixture(client: client, environment: environment, pool: db.pool(size: 1), spool: spool)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("put locks for the legal period, prints the version, records worm_locked; verify passes; the event names the version")
    func putAndVerify() async throws {
        let f = try await fixture("cli-put")
        let file = try S3Fixture.file(size: 3000)
        defer { unlink(file) }
        let put = try await TestBinary.run(["worm", "put", file, "--key", "org-1/2024/gobd.tar.gz", "--country", "DE", "--class", "vouchers",
                                            "--class", "books", "--year", "2024", "--content-type", "application/gzip"], environment: f.environment)
        #expect(put.status == 0, "\(put.stderr)")
        let printed = try Self.json(put.stdout)
        #expect(printed["key"] as? String == "exports/org-1/2024/gobd.tar.gz" && printed["mode"] as? String == "COMPLIANCE")
        #expect(printed["retain_until"] as? String == "2035-01-01T00:00:00Z" && printed["size_bytes"] as? Int == 3000)
        let version = try #require(printed["version_id"] as? String)
        let sha = try #require(printed["sha256"] as? String)
        let details = try await f.pool.query("SELECT details::text AS d FROM backup_audit WHERE event_type = 'worm_locked' AND status = 'succeeded' AND details::jsonb->>'version_id' = \(version)")
            .single().decode(String.self, "d")
        #expect(details.contains(sha) && details.contains("2035-01-01T00:00:00Z"))

        let verify = try await TestBinary.run(["worm", "verify", "--key", "org-1/2024/gobd.tar.gz", "--version-id", version,
                                               "--country", "DE", "--class", "books", "--year", "2024"], environment: f.environment)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(try Self.json(verify.stdout)["sha256"] as? String == sha)
        let withSHA = try await TestBinary.run(["worm", "verify", "--key", "org-1/2024/gobd.tar.gz", "--version-id", version, "--sha256", sha],
                                               environment: f.environment)
        #expect(withSHA.status == 0, "\(withSHA.stderr)")
        await f.pool.close()
    }

    @Test("verify finds problems (exit 2): too short for the law, other bytes, no such version, a version another client stored unlocked")
    func verifyProblems() async throws {
        let f = try await fixture("cli-verify")
        let file = try S3Fixture.file(size: 100)
        defer { unlink(file) }
        let put = try await TestBinary.run(["worm", "put", file, "--key", "k", "--country", "DE", "--class", "letters", "--year", "2024"], environment: f.environment)
        let version = try #require((try Self.json(put.stdout))["version_id"] as? String)
        let tooShort = try await TestBinary.run(["worm", "verify", "--key", "k", "--version-id", version, "--country", "AT", "--class", "real-estate", "--year", "2024"],
                                                environment: f.environment)
        #expect(tooShort.status == 2 && tooShort.stderr.contains("before the legal 2047-01-01T00:00:00Z") && tooShort.stdout.isEmpty, "\(tooShort.stderr)")
        let otherBytes = try await TestBinary.run(["worm", "verify", "--key", "k", "--version-id", version, "--sha256", String(repeating: "0", count: 64)],
                                                  environment: f.environment)
        #expect(otherBytes.status == 2 && otherBytes.stderr.contains("the stored bytes have SHA-256"), "\(otherBytes.stderr)")
        let missing = try await TestBinary.run(["worm", "verify", "--key", "k", "--version-id", "0123456789abcdef0123456789abcdef"], environment: f.environment)
        #expect(missing.status == 2 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        // Another client, without a lock (the bucket has no default retention).
        let unlocked = try f.client.putObject(name: "exports/plain", path: file, retention: nil)
        let plain = try await TestBinary.run(["worm", "verify", "--key", "plain", "--version-id", unlocked.versionID], environment: f.environment)
        #expect(plain.status == 2 && plain.stderr.contains("is not locked"), "\(plain.stderr)")
        await f.pool.close()
    }

    @Test("extend: later recorded, earlier refused before sending (64); legal hold on and off recorded")
    func extendAndHold() async throws {
        let f = try await fixture("cli-extend")
        let file = try S3Fixture.file(size: 10)
        defer { unlink(file) }
        let put = try await TestBinary.run(["worm", "put", file, "--key", "k", "--country", "AT", "--class", "books", "--year", "2025"], environment: f.environment)
        let version = try #require((try Self.json(put.stdout))["version_id"] as? String)
        let earlier = try await TestBinary.run(["worm", "extend", "--key", "k", "--version-id", version, "--until", "2032-12-31"], environment: f.environment)
        #expect(earlier.status == 64 && earlier.stderr.contains("only ever extended"), "\(earlier.stderr)")
        let later = try await TestBinary.run(["worm", "extend", "--key", "k", "--version-id", version, "--until", "2040-01-01"], environment: f.environment)
        #expect(later.status == 0, "\(later.stderr)")
        #expect(try f.client.retention(name: "exports/k", versionID: version).retainUntilText == "2040-01-01T00:00:00Z")
        for state in ["on", "off"] {
            let hold = try await TestBinary.run(["worm", "legal-hold", state, "--key", "k", "--version-id", version], environment: f.environment)
            #expect(hold.status == 0, "\(hold.stderr)")
        }
        let events = try await f.pool.query("SELECT event_type || ':' || (details::jsonb->>'legal_hold') AS e FROM backup_audit WHERE event_type = 'legal_hold' AND details::jsonb->>'version_id' = \(version) ORDER BY seq")
        let kinds = try events.map { try $0.decode(String.self, "e") }
        #expect(kinds == ["legal_hold:ON", "legal_hold:OFF"])
        await f.pool.close()
    }

    @Test("usage errors are 64, an unreachable store is 1, each one line")
    func exitCodes() async throws {
        let f = try await fixture("cli-codes")
        var noConfig = f.environment
        noConfig.removeValue(forKey: "IMMOFLOW_WORM_BUCKET")
        let missing = try await TestBinary.run(["worm", "verify", "--key", "k", "--version-id", "v"], environment: noConfig)
        #expect(missing.status == 64 && missing.stderr.contains("IMMOFLOW_WORM_BUCKET"), "\(missing.stderr)")
        let badClass = try await TestBinary.run(["worm", "put", "/etc/hostname", "--key", "k", "--country", "DE", "--class", "novels", "--year", "2024"],
                                                environment: f.environment)
        #expect(badClass.status == 64 && badClass.stderr.contains("--class"), "\(badClass.stderr)")
        var unreachable = f.environment
        unreachable["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:1"
        let down = try await TestBinary.run(["worm", "verify", "--key", "k", "--version-id", "v"], environment: unreachable)
        #expect(down.status == 1 && down.stderr.contains("cannot reach the object store") && down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
        await f.pool.close()
    }
}
