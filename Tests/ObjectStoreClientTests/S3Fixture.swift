import Chronology
import ComplianceTesting
import Foundation
import ObjectStore
@testable import ObjectStoreClient

/// Clients of the run's SeaweedFS, one bucket per test (locked data cannot be deleted).
enum S3Fixture {
    static func configuration(secure: Bool = false, bucket: String, key: String = SeaweedFS.adminKey, secret: String = SeaweedFS.adminSecret,
                              caBundle: String? = nil, host: String? = nil) throws -> S3Configuration {
        let server = try SeaweedFS.shared()
        var url = secure ? server.httpsURL : server.httpURL
        if let host { url = url.replacingOccurrences(of: "127.0.0.1", with: host) }
        guard let endpoint = S3Endpoint(url: url) else { throw HarnessError("bad endpoint \(url)") }
        var configuration = S3Configuration(endpoint: endpoint, region: "eu-central-1", bucket: bucket,
                                            credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret),
                                            caBundle: caBundle ?? (secure ? server.caCertificate : nil))
        configuration.timeout = 10
        configuration.attempts = 2
        configuration.partSize = 16 << 20   // the multipart test's 40 MiB go up in parts
        return configuration
    }

    /// A new bucket with Object Lock (or without), and an admin client on it.
    static func bucket(_ label: String, objectLock: Bool = true, secure: Bool = false) throws -> S3Client {
        let name = "\(label)-\(UInt32.random(in: 0...UInt32.max))"
        let client = try S3Client(configuration(secure: secure, bucket: name))
        try client.createBucket(objectLock: objectLock)
        return client
    }

    /// A temporary file of `size` bytes (a repeating, position-dependent pattern).
    static func file(size: Int) throws -> String {
        let path = NSTemporaryDirectory() + "s3-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw HarnessError("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var written = 0
        while written < size {
            let n = min(1 << 20, size - written)
            handle.write(Data((0..<n).map { UInt8(truncatingIfNeeded: ($0 + written) &* 31 &+ ($0 + written) >> 12) }))
            written += n
        }
        try handle.close()
        return path
    }

    static func retention(years: Int = 10, mode: ObjectLockMode = .compliance) -> ObjectRetention {
        ObjectRetention(mode: mode, retainUntil: Timestamp(year: 2026 + years, month: 1, day: 1)!)
    }
}
