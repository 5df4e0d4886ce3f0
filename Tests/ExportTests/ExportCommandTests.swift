import ComplianceTesting
import Crypto
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing

/// `immoflow-compliance export` and `verify-package` run as the real program: a package to a
/// file and to stdout, verified offline with the issuer's key; with --worm locked in SeaweedFS
/// and recorded; the monthly run skipping what is locked; bad input refused with the right exit
/// code and nothing recorded (0 done/valid, 1 could not, 2 findings, 64 usage).
@Suite(.serialized) struct ExportCommandTests {
    struct Setup {
        let fixture: PackageFixture
        let directory: String
        let environment: [String: String]
        let publicKey: String
    }

    static let setup = Task { () throws -> Setup in
        let fixture = try await PackageBuilderTests.fixture.value
        let directory = NSTemporaryDirectory() + "export-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try PackageFixture.key.pkcs8PEM.write(toFile: directory + "/signing.pem", atomically: true, encoding: .utf8)
        try PackageFixture.key.publicKey.pem.write(toFile: directory + "/public.pem", atomically: true, encoding: .utf8)
        return Setup(fixture: fixture, directory: directory, environment: ["DATABASE_URL": fixture.database.url,
                                                                           "IMMOFLOW_SIGNING_KEY_FILE": directory + "/signing.pem"],
                     publicKey: directory + "/public.pem")
    }

    static func rows(_ s: Setup, _ where_: String) async throws -> Int64 {
        try await s.fixture.pool.query(Query(unsafeSQL: "SELECT count(*) FROM export_packages WHERE " + where_)).single().decode(Int64.self, at: 0)
    }

    @Test("export to a file prints its summary and records it; verify-package with the issuer's key: valid, exit 0, as text and JSON; a changed byte: exit 2 with the findings")
    func exportAndVerify() async throws {
        let s = try await Self.setup.value
        let file = s.directory + "/september.tar.gz"
        let export = try await TestBinary.run(["export", "--organization", PackageFixture.anker, "--from", "2026-09-01", "--to", "2026-09-30",
                                               "--output", file], environment: s.environment)
        #expect(export.status == 0, "\(export.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        let id = try #require(summary["export_id"] as? String)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(summary["sha256"] as? String == Hex.encode(SHA256.hash(Array(bytes))) && summary["size_bytes"] as? Int == bytes.count)
        #expect((summary["rows"] as? [String: Int])?["audit_logs"] == 180)
        #expect(try await Self.rows(s, "id = '\(id)' AND state = 'succeeded' AND NOT worm AND size_bytes = \(bytes.count) AND chain_last_seq = 249") == 1)
        #expect(try await s.fixture.pool.query("SELECT count(*) FROM backup_audit WHERE event_type = 'export_created' AND status = 'succeeded' AND run_id = \(id)::uuid")
            .single().decode(Int64.self, at: 0) == 1)

        let verify = try await TestBinary.run(["verify-package", file, "--public-key", s.publicKey])
        #expect(verify.status == 0 && verify.stdout.hasPrefix("valid: \(file)\n") && verify.stdout.contains("(the given key)"), "\(verify.stdout)\(verify.stderr)")
        let json = try await TestBinary.run(["verify-package", file, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(json.status == 0 && report["valid"] as? Bool == true && report["export_id"] as? String == id && report["chain_entries_recomputed"] as? Int == 180)

        var damaged = Array(bytes)
        damaged[damaged.count / 2] ^= 0x01
        let bad = s.directory + "/damaged.tar.gz"
        try Data(damaged).write(to: URL(fileURLWithPath: bad))
        let found = try await TestBinary.run(["verify-package", bad, "--json"])
        #expect(found.status == 2, "\(found.stdout)\(found.stderr)")
        #expect((try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any])?["valid"] as? Bool == false)
    }

    @Test("export to stdout (-): the bytes on stdout are the package, valid for verify-package; nothing else on stdout")
    func stdout() async throws {
        let s = try await Self.setup.value
        let file = s.directory + "/stdout.tar.gz"
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in s.environment { environment[k] = v }
        let binary = try TestBinary.path()
        let export = try await Blocking.run { [environment] in
            try ProcessRunner.run(["/bin/sh", "-c", "exec \"$0\" export --organization \"$1\" --period 2026-09 --output - > \"$2\"",
                                   binary, PackageFixture.anker, file], environment: environment)
        }
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let recorded = try await s.fixture.pool.query("""
            SELECT size_bytes, sha256 FROM export_packages WHERE organization_id = \(PackageFixture.anker)::uuid AND local_path IS NULL
            ORDER BY created_at DESC LIMIT 1
            """).single()
        #expect(try recorded.decode(Int64.self, at: 0) == Int64(bytes.count) && (try recorded.decode(PostgresBytes.self, at: 1).bytes) == SHA256.hash(Array(bytes)))
        let verify = try await TestBinary.run(["verify-package", file, "--public-key", s.publicKey])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("bad input: exit 64 for usage, 1 for what cannot be done — and no export_packages row left behind", arguments: [
        (["--organization", "not-a-uuid", "--from", "2026-01-01", "--to", "2026-01-31"], Int32(64), "must be a UUID"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--from", "2026-02-01", "--to", "2026-01-31"], 64, "is after"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--from", "2010-01-01", "--to", "2025-12-31"], 64, "longer than 10 years"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--from", "2026-01-01"], 64, "--from and --to"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--period", "2026-13"], 64, "--period must be"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--period", "2026-09", "--profile", "xyz"], 64, "gobd or bao"),
        (["--organization", "a0000000-0000-4000-8000-0000000000a1", "--period", "2026-09", "--worm"], 64, "IMMOFLOW_WORM_BUCKET"),
        (["--organization", "b0000000-0000-4000-8000-0000000000b1", "--period", "2026-09", "--output", "/tmp/never-written.tar.gz"], 1, "no organization"),
        (["--all-organizations", "--period", "2026-09"], 64, "--worm or --output-directory"),
    ])
    func badInput(arguments: [String], status: Int32, message: String) async throws {
        let s = try await Self.setup.value
        let before = try await Self.rows(s, "true")
        var environment = s.environment
        environment["IMMOFLOW_WORM_BUCKET"] = nil
        let run = try await TestBinary.run(["export"] + arguments, environment: environment)
        #expect(run.status == status && run.stderr.contains(message), "\(run.status): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "one line: \(run.stderr)")
        #expect(try await Self.rows(s, "true") == before)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.tar.gz"))
    }

    @Test("without a signing key: exit 64; an existing output file is never overwritten: exit 1; verify-package of a missing file: exit 1")
    func refusals() async throws {
        let s = try await Self.setup.value
        var environment = s.environment
        environment["IMMOFLOW_SIGNING_KEY_FILE"] = nil
        let noKey = try await TestBinary.run(["export", "--organization", PackageFixture.anker, "--period", "2026-09"], environment: environment)
        #expect(noKey.status == 64 && noKey.stderr.contains("IMMOFLOW_SIGNING_KEY_FILE"), "\(noKey.stderr)")
        let existing = s.directory + "/existing.tar.gz"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        let over = try await TestBinary.run(["export", "--organization", PackageFixture.anker, "--period", "2026-09", "--output", existing], environment: s.environment)
        #expect(over.status == 1 && over.stderr.contains("exists"), "\(over.stderr)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        let missing = try await TestBinary.run(["verify-package", s.directory + "/nothing.tar.gz"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot open"), "\(missing.stderr)")
        let usage = try await TestBinary.run(["verify-package"])
        #expect(usage.status == 64)
    }

    @Test("--worm: the package locked in COMPLIANCE mode until 1 January 2037 (DE books, 10 years after 2026), recorded with its version; the monthly run skips it as locked and exports the others")
    func worm() async throws {
        let s = try await Self.setup.value
        let bucket = try TestBucket.make("export-worm")
        let server = try SeaweedFS.shared()
        var environment = s.environment
        environment["AWS_ACCESS_KEY_ID"] = SeaweedFS.adminKey
        environment["AWS_SECRET_ACCESS_KEY"] = SeaweedFS.adminSecret
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_ENDPOINT_URL_S3"] = server.httpURL
        environment["IMMOFLOW_WORM_BUCKET"] = bucket.configuration.bucket
        let export = try await TestBinary.run(["export", "--organization", PackageFixture.anker, "--period", "2026-09", "--worm"], environment: environment)
        #expect(export.status == 0, "\(export.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        let version = try #require(summary["version_id"] as? String)
        let object = try #require(summary["object"] as? String)
        #expect(summary["retain_until"] as? String == "2037-01-01T00:00:00.000000Z" && summary["file"] == nil)
        let info = try await Blocking.run { try bucket.headObject(storedKey: object, versionID: version) }
        #expect(info.retention?.mode == .compliance && info.retention?.retainUntilText == "2037-01-01T00:00:00Z")
        #expect(try await Self.rows(s, "version_id = '\(version)' AND state = 'succeeded' AND worm AND lock_mode = 'COMPLIANCE'") == 1)
        // The checkpoint signed at export time is locked beside it and recorded, as the daily ones are.
        let checkpoint = try await s.fixture.pool.query("""
            SELECT storage_key, version_id FROM audit_checkpoints WHERE organization_id = \(PackageFixture.anker)::uuid AND seq = 249
            ORDER BY id DESC LIMIT 1
            """).single()
        let checkpointKey = try checkpoint.decode(String.self, at: 0), checkpointVersion = try checkpoint.decode(String.self, at: 1)
        let checkpointInfo = try await Blocking.run { try bucket.headObject(storedKey: checkpointKey, versionID: checkpointVersion) }
        #expect(checkpointInfo.retention?.mode == .compliance)

        let monthly = try await TestBinary.run(["export", "--all-organizations", "--period", "2026-09", "--worm"], environment: environment)
        #expect(monthly.status == 0, "\(monthly.stderr)")
        #expect(monthly.stderr.contains("\(PackageFixture.anker) 2026-09-01 to 2026-09-30: already exported and locked"), "\(monthly.stderr)")
        #expect(monthly.stdout.split(separator: "\n").count == s.fixture.organizations.count, "\(monthly.stdout)")
        let again = try await TestBinary.run(["export", "--all-organizations", "--period", "2026-09", "--worm"], environment: environment)
        #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.split(separator: "\n").count == s.fixture.organizations.count + 1, "\(again.stderr)")
    }
}
