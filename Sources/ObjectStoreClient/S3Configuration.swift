import ObjectStore

/// Where and as whom the WORM store is reached, by the names the AWS ecosystem uses:
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or
/// `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`; else AWS's regional
/// endpoint), `AWS_CA_BUNDLE`, plus `IMMOFLOW_WORM_BUCKET`, `IMMOFLOW_WORM_PREFIX` and
/// `IMMOFLOW_S3_ADDRESSING` (`path` or `virtual`). Secrets are never described or logged.
public struct S3Configuration: Sendable, CustomStringConvertible {
    public var endpoint: S3Endpoint
    public var region: String
    public var bucket: String
    /// Prepended to every key (`exports/`), so one bucket can serve several environments.
    public var prefix: String
    public var credentials: S3Credentials
    public var caBundle: String?
    /// Seconds for connecting and for each read or write.
    public var timeout: Double = 30
    /// Attempts for a retryable failure (500/503/SlowDown, connection resets), backoff between.
    public var attempts = 4
    /// Files up to this size go up in one PUT, larger ones in parts of up to this size (at
    /// least 5 MiB, S3's smallest part; 64 MiB: 640 GiB in 10,000 parts).
    public var partSize: Int64 = 64 << 20 {
        didSet { partSize = max(partSize, 5 << 20) }
    }

    public init(endpoint: S3Endpoint, region: String, bucket: String, prefix: String = "", credentials: S3Credentials, caBundle: String? = nil) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.prefix = prefix
        self.credentials = credentials
        self.caBundle = caBundle
    }

    /// The configuration from `environment`, or which variable is missing or wrong.
    public static func fromEnvironment(_ environment: [String: String]) -> Result<S3Configuration, ObjectStoreError> {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
            return .failure(.refused("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set for the WORM store"))
        }
        guard let bucket = value("IMMOFLOW_WORM_BUCKET") else { return .failure(.refused("IMMOFLOW_WORM_BUCKET must name the Object Lock bucket")) }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        var addressing: S3Endpoint.Addressing?
        if let style = value("IMMOFLOW_S3_ADDRESSING") {
            guard let a = S3Endpoint.Addressing(rawValue: style) else { return .failure(.refused("IMMOFLOW_S3_ADDRESSING must be path or virtual, not \(style)")) }
            addressing = a
        }
        let url = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL")
        guard let endpoint = S3Endpoint(url: url ?? "https://s3.\(region).amazonaws.com", addressing: addressing ?? (url == nil ? .virtualHost : .path)) else {
            return .failure(.refused("the S3 endpoint \(url ?? "") is not an http(s)://host[:port] URL"))
        }
        var prefix = value("IMMOFLOW_WORM_PREFIX") ?? ""
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        return .success(S3Configuration(endpoint: endpoint, region: region, bucket: bucket, prefix: prefix,
                                        credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN")),
                                        caBundle: value("AWS_CA_BUNDLE")))
    }

    public var description: String {
        "\(endpoint.secure ? "https" : "http")://\(endpoint.host):\(endpoint.port) bucket \(bucket) (\(endpoint.addressing.rawValue)-style, region \(region)"
            + (prefix.isEmpty ? "" : ", prefix \(prefix)") + "), \(credentials)"
    }
}
