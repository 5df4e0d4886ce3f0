import ObjectStore
import Testing

/// Endpoint URLs, addressing styles, Host headers and paths.
@Suite struct S3EndpointTests {
    @Test("path-style: the bucket in the path; the port in Host only when not the scheme's default")
    func pathStyle() throws {
        let e = try #require(S3Endpoint(url: "https://127.0.0.1:20002/"))
        #expect(e.secure && e.host == "127.0.0.1" && e.port == 20002 && e.addressing == .path)
        #expect(e.hostHeader(bucket: "b") == "127.0.0.1:20002" && e.connectHost(bucket: "b") == "127.0.0.1")
        #expect(e.path(bucket: "b", key: "org/k.tar.gz") == "/b/org/k.tar.gz" && e.path(bucket: "b", key: "") == "/b")
        let plain = try #require(S3Endpoint(url: "http://minio.internal"))
        #expect(!plain.secure && plain.port == 80 && plain.hostHeader(bucket: "b") == "minio.internal")
    }

    @Test("virtual-host style for names: the bucket in the host; an IP address stays path-style")
    func virtualHost() throws {
        let aws = try #require(S3Endpoint(url: "https://s3.eu-central-1.amazonaws.com", addressing: .virtualHost))
        #expect(aws.hostHeader(bucket: "worm") == "worm.s3.eu-central-1.amazonaws.com" && aws.connectHost(bucket: "worm") == "worm.s3.eu-central-1.amazonaws.com")
        #expect(aws.path(bucket: "worm", key: "k") == "/k")
        #expect(S3Endpoint(url: "https://10.0.0.5:9000", addressing: .virtualHost)?.addressing == .path)
        let v6 = try #require(S3Endpoint(url: "http://[::1]:9000"))
        #expect(v6.host == "::1" && v6.port == 9000 && v6.hostHeader(bucket: "b") == "[::1]:9000")
    }

    @Test("not an endpoint URL", arguments: ["s3.amazonaws.com", "ftp://h", "https://", "https://h/path", "https://h?x=1", "https://u:p@h",
                                              "https://h:0", "https://h:65536", "https://h:+80", "https://h:", "http://[::1"])
    func refused(url: String) {
        #expect(S3Endpoint(url: url) == nil)
    }
}
