import ObjectStore
import ObjectStoreClient
import Testing

/// The store's configuration from the AWS_* and IMMOFLOW_WORM_* variables.
@Suite struct S3ConfigurationTests {
    static let base = ["AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "IMMOFLOW_WORM_BUCKET": "worm"]

    @Test("defaults: AWS's regional endpoint, virtual-host style, us-east-1; the secret never described")
    func defaults() throws {
        let c = try S3Configuration.fromEnvironment(Self.base).get()
        #expect(c.endpoint == S3Endpoint(secure: true, host: "s3.us-east-1.amazonaws.com", port: 443, addressing: .virtualHost))
        #expect(c.region == "us-east-1" && c.prefix == "" && c.caBundle == nil && c.credentials.sessionToken == nil)
        #expect(!c.description.contains("s3cr3t"))
    }

    @Test("an endpoint URL (path-style), region, prefix with its slash, CA bundle, session token; AWS_ENDPOINT_URL_S3 wins")
    func explicit() throws {
        var env = Self.base
        env["AWS_ENDPOINT_URL"] = "http://ignored:1"
        env["AWS_ENDPOINT_URL_S3"] = "https://127.0.0.1:20002"
        env["AWS_DEFAULT_REGION"] = "eu-central-1"
        env["IMMOFLOW_WORM_PREFIX"] = "exports"
        env["AWS_CA_BUNDLE"] = "/etc/ca.pem"
        env["AWS_SESSION_TOKEN"] = "tok"
        let c = try S3Configuration.fromEnvironment(env).get()
        #expect(c.endpoint.host == "127.0.0.1" && c.endpoint.addressing == .path && c.region == "eu-central-1")
        #expect(c.prefix == "exports/" && c.caBundle == "/etc/ca.pem" && c.credentials.sessionToken == "tok")
        #expect(!c.description.contains("tok"))
    }

    @Test("missing or wrong variables are named", arguments: [
        ("AWS_SECRET_ACCESS_KEY", "", "AWS_SECRET_ACCESS_KEY"), ("IMMOFLOW_WORM_BUCKET", "", "IMMOFLOW_WORM_BUCKET"),
        ("AWS_ENDPOINT_URL_S3", "s3.local", "endpoint"), ("IMMOFLOW_S3_ADDRESSING", "dns", "IMMOFLOW_S3_ADDRESSING"),
    ])
    func refused(name: String, value: String, named: String) {
        var env = Self.base
        env[name] = value
        guard case .failure(let error) = S3Configuration.fromEnvironment(env) else {
            Issue.record("accepted \(name)=\(value)")
            return
        }
        #expect(error.description.contains(named))
    }
}
