import ComplianceTesting
import Foundation
import Testing

/// deploy/s3: every JSON parses, the IAM and bucket policies pass parliament (AWS's action and
/// resource catalogue), the lifecycles never fight the locks; setup-bucket.sh run with the real aws
/// CLI against SeaweedFS: the bucket has versioning and the default COMPLIANCE retention read back,
/// the TLS-only policy refuses plain HTTP, versioning cannot be suspended, a locked version cannot be
/// deleted; a call SeaweedFS does not implement is named, and skipped only when told.
@Suite(.serialized) struct BucketSetupTests {
    static let directory = URL(fileURLWithPath: TestEnvironment.migrationsDirectory).deletingLastPathComponent().appendingPathComponent("deploy/s3").path

    /// The pinned Python tools (aws CLI, parliament) tools/test.sh installs (`ensure_pytools`).
    static func pytools() throws -> String {
        guard let dir = ProcessInfo.processInfo.environment["IMMOFLOW_PYTOOLS"], FileManager.default.isExecutableFile(atPath: dir + "/bin/aws") else {
            throw HarnessError("IMMOFLOW_PYTOOLS is not set or has no aws CLI: run the tests through tools/test.sh (ensure_pytools installs awscli and parliament)")
        }
        return dir
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("\(name) is not a JSON object") }
        return object
    }

    @Test("the JSON files: valid; the policies pass parliament; locks are COMPLIANCE; no lifecycle expires a locked version early or moves it out of instant reach")
    func files() async throws {
        let tools = try Self.pytools()
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(Set(names).isSuperset(of: ["versioning.json", "worm-object-lock.json", "backup-object-lock.json", "tls-only-policy.json",
                                            "worm-lifecycle.json", "backup-lifecycle.json", "iam-server.json", "iam-backup.json", "iam-auditor.json"]))
        for name in names { _ = try Self.json(name) }
        for name in names where name.hasPrefix("iam-") || name.hasSuffix("-policy.json") {
            let text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
                .replacingOccurrences(of: "@BUCKET@", with: "immoflow-worm").replacingOccurrences(of: "@WORM_BUCKET@", with: "immoflow-worm")
                .replacingOccurrences(of: "@BACKUP_BUCKET@", with: "immoflow-backup-prod")
            let r = try await Blocking.run {
                try ProcessRunner.run(["python3", "-c", """
                    import sys, parliament
                    p = parliament.analyze_policy_string(sys.stdin.read(), include_community_auditors=False)
                    for f in p.findings: print(f.issue, f.detail)
                    sys.exit(1 if p.findings else 0)
                    """], environment: ["PYTHONPATH": tools, "PATH": "/usr/bin:/bin"], input: text)
            }
            #expect(r.status == 0, "\(name): \(r.stdout)\(r.stderr)")
        }
        // parliament is a real check: a misspelt action is found
        let bad = try await Blocking.run {
            try ProcessRunner.run(["python3", "-c", "import sys, parliament; p = parliament.analyze_policy_string(sys.stdin.read()); sys.exit(1 if p.findings else 0)"],
                                  environment: ["PYTHONPATH": tools, "PATH": "/usr/bin:/bin"],
                                  input: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b/*"}]}"#)
        }
        #expect(bad.status == 1)
        for kind in ["worm", "backup"] {
            let rule = (try Self.json("\(kind)-object-lock.json")["Rule"] as? [String: Any])?["DefaultRetention"] as? [String: Any]
            #expect(rule?["Mode"] as? String == "COMPLIANCE", "\(kind): COMPLIANCE mode")
            let lifecycle = try String(contentsOfFile: Self.directory + "/\(kind)-lifecycle.json", encoding: .utf8)
            #expect(!lifecycle.contains("GLACIER") && !lifecycle.contains("DEEP_ARCHIVE"),
                    "\(kind): pgBackRest cannot read archived objects, and packages are fetched back on demand")
        }
        #expect((try Self.json("worm-object-lock.json")["Rule"] as? [String: Any]).flatMap { ($0["DefaultRetention"] as? [String: Any])?["Years"] as? Int } == 10)
        let worm = try String(contentsOfFile: Self.directory + "/worm-lifecycle.json", encoding: .utf8)
        #expect(!worm.contains("Expiration\""), "nothing in the WORM bucket expires by lifecycle (the lock decides, 10–22 years)")
        let backupDays = ((try Self.json("backup-object-lock.json")["Rule"] as? [String: Any])?["DefaultRetention"] as? [String: Any])?["Days"] as? Int ?? 0
        let rules = (try Self.json("backup-lifecycle.json")["Rules"] as? [[String: Any]]) ?? []
        let noncurrent = rules.compactMap { ($0["NoncurrentVersionExpiration"] as? [String: Any])?["NoncurrentDays"] as? Int }
        #expect(!noncurrent.isEmpty && noncurrent.allSatisfy { $0 > backupDays }, "old backup versions expire only after their lock (\(noncurrent) vs \(backupDays))")
        // the server identity may neither delete nor loosen anything
        let server = try String(contentsOfFile: Self.directory + "/iam-server.json", encoding: .utf8)
        let allows = ((try Self.json("iam-server.json")["Statement"] as? [[String: Any]]) ?? []).filter { $0["Effect"] as? String == "Allow" }
        let allowed = allows.flatMap { ($0["Action"] as? [String]) ?? [] }
        #expect(!allowed.contains { $0.contains("Delete") || $0.contains("Bypass") || $0 == "s3:*" }, "\(allowed)")
        #expect(server.contains("s3:BypassGovernanceRetention") && server.contains("\"Effect\": \"Deny\""))
        let auditor = ((try Self.json("iam-auditor.json")["Statement"] as? [[String: Any]]) ?? []).flatMap { ($0["Action"] as? [String]) ?? [] }
        #expect(auditor.allSatisfy { $0.hasPrefix("s3:Get") || $0.hasPrefix("s3:List") }, "the auditor reads only: \(auditor)")
    }

    /// Runs setup-bucket.sh with the aws CLI against SeaweedFS's endpoint (`https` by default).
    static func setup(_ arguments: [String], s3: SeaweedFS, tools: String, skip: String? = nil) async throws -> ProcessRunner.Outcome {
        var env = ["PATH": "/usr/bin:/bin", "PYTHONPATH": tools, "AWS": tools + "/bin/aws", "AWS_ACCESS_KEY_ID": SeaweedFS.adminKey,
                   "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret, "AWS_ENDPOINT_URL": s3.httpsURL, "AWS_CA_BUNDLE": s3.caCertificate,
                   "AWS_REGION": "us-east-1", "HOME": FileManager.default.temporaryDirectory.path]
        if let skip { env["SKIP_STEPS"] = skip }
        let environment = env
        return try await Blocking.run { try ProcessRunner.run([directory + "/setup-bucket.sh"] + arguments, environment: environment) }
    }

    static func aws(_ arguments: [String], s3: SeaweedFS, tools: String, endpoint: String? = nil) async throws -> ProcessRunner.Outcome {
        try await Blocking.run {
            try ProcessRunner.run([tools + "/bin/aws", "s3api"] + arguments + ["--output", "json"],
                                  environment: ["PATH": "/usr/bin:/bin", "PYTHONPATH": tools, "AWS_ACCESS_KEY_ID": SeaweedFS.adminKey,
                                                "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret, "AWS_ENDPOINT_URL": endpoint ?? s3.httpsURL,
                                                "AWS_CA_BUNDLE": s3.caCertificate, "AWS_REGION": "us-east-1",
                                                "HOME": FileManager.default.temporaryDirectory.path])
        }
    }

    @Test("setup-bucket.sh against SeaweedFS: lock and versioning read back, plain HTTP refused by the policy, versioning cannot be suspended, a locked version cannot be deleted; unimplemented calls are named")
    func seaweed() async throws {
        let tools = try Self.pytools()
        let s3 = try SeaweedFS.shared()
        let suffix = UUID().uuidString.prefix(8).lowercased()

        // SeaweedFS does not implement lifecycle rules: the step is named and the script stops
        let first = try await Self.setup(["worm", "setup-worm-a-\(suffix)"], s3: s3, tools: tools)
        #expect(first.status == 1 && first.stderr.contains("lifecycle failed") && first.stderr.contains("NotImplemented"), "\(first.stderr)")
        #expect(first.stderr.contains("create: ok") && first.stderr.contains("object-lock: ok") && first.stderr.contains("policy: ok"))

        for (kind, retention) in [("worm", 10 * 365), ("backup", 14)] {
            let bucket = "setup-\(kind)-\(suffix)"
            let r = try await Self.setup([kind, bucket], s3: s3, tools: tools, skip: "lifecycle,public-access")
            #expect(r.status == 0, "\(kind): \(r.stderr)")
            #expect(r.stderr.contains("lifecycle: SKIPPED (SKIP_STEPS)") && r.stderr.contains("public-access: SKIPPED (SKIP_STEPS)"))
            #expect(r.stderr.contains("versioning Enabled"))
            // a new object gets the default retention
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-\(suffix).txt").path
            try "evidence\n".write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let put = try await Self.aws(["put-object", "--bucket", bucket, "--key", "p/1.txt", "--body", file], s3: s3, tools: tools)
            #expect(put.status == 0, "\(put.stderr)")
            let version = (try JSONSerialization.jsonObject(with: Data(put.stdout.utf8)) as? [String: Any])?["VersionId"] as? String ?? ""
            let held = try await Self.aws(["get-object-retention", "--bucket", bucket, "--key", "p/1.txt", "--version-id", version], s3: s3, tools: tools)
            let lock = (try? JSONSerialization.jsonObject(with: Data(held.stdout.utf8)) as? [String: Any])?["Retention"] as? [String: Any]
            #expect(lock?["Mode"] as? String == "COMPLIANCE", "\(held.stdout)\(held.stderr)")
            let until = (lock?["RetainUntilDate"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            let days = until.map { $0.timeIntervalSinceNow / 86400 } ?? 0
            #expect(days > Double(retention) - 2 && days < Double(retention) + 4, "\(kind): retained \(days) days")
            // the locked version cannot be deleted; versioning cannot be suspended; plain HTTP is refused
            let delete = try await Self.aws(["delete-object", "--bucket", bucket, "--key", "p/1.txt", "--version-id", version], s3: s3, tools: tools)
            #expect(delete.status != 0, "\(kind): a locked version was deleted")
            let suspend = try await Self.aws(["put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Suspended"], s3: s3, tools: tools)
            #expect(suspend.status != 0 && suspend.stderr.contains("AccessDenied"), "\(suspend.stderr)")
            let plain = try await Self.aws(["put-object", "--bucket", bucket, "--key", "p/2.txt", "--body", file], s3: s3, tools: tools, endpoint: s3.httpURL)
            #expect(plain.status != 0 && plain.stderr.contains("AccessDenied"), "plain HTTP must be refused: \(plain.stderr)")
        }
        // usage errors
        #expect(try await Self.setup(["archive", "x-\(suffix)"], s3: s3, tools: tools).status == 64)
        let name = try await Self.setup(["worm", "Bad_Name"], s3: s3, tools: tools)
        #expect(name.status == 64 && name.stderr.contains("not a valid S3 bucket name"))
    }
}
