import ObjectStore
import ObjectStoreClient

/// Buckets on the run's SeaweedFS (started by the harness; a test fails when it cannot start).
public enum TestBucket {
    /// The admin's configuration for `bucket` (path-style, plain HTTP).
    public static func configuration(_ bucket: String, prefix: String = "", region: String = "us-east-1") throws -> S3Configuration {
        let server = try SeaweedFS.shared()
        guard let endpoint = S3Endpoint(url: server.httpURL) else { throw HarnessError("bad endpoint \(server.httpURL)") }
        var configuration = S3Configuration(endpoint: endpoint, region: region, bucket: bucket, prefix: prefix,
                                            credentials: S3Credentials(accessKeyID: SeaweedFS.adminKey, secretAccessKey: SeaweedFS.adminSecret))
        configuration.timeout = 10
        return configuration
    }

    /// A new bucket named after `label`, with Object Lock unless asked otherwise, and an admin
    /// client on it (its keys under `prefix`).
    public static func make(_ label: String, prefix: String = "", objectLock: Bool = true, region: String = "us-east-1") throws -> S3Client {
        let client = try S3Client(configuration("\(label)-\(UInt32.random(in: 0...UInt32.max))", prefix: prefix, region: region))
        try client.createBucket(objectLock: objectLock)
        return client
    }
}
