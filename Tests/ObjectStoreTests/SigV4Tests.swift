import Chronology
import ObjectStore
import Testing

/// SigV4 against reference vectors (docs/s3-object-lock.md §3): AWS's "get-vanilla", and our
/// Object Lock PUT as botocore signs it, with the three wrong signatures SeaweedFS would accept.
@Suite struct SigV4Tests {
    /// AWS SigV4 test suite, get-vanilla: the published signature.
    @Test("AWS get-vanilla: canonical request, string to sign, signature")
    func getVanilla() throws {
        let scope = SigV4.Scope(time: try #require(Timestamp(year: 2015, month: 8, day: 30, hour: 12, minute: 36)),
                                region: "us-east-1", service: "service")
        #expect(scope.amzDate == "20150830T123600Z" && scope.credentialScope == "20150830/us-east-1/service/aws4_request")
        let (canonical, signed) = SigV4.canonicalRequest(
            method: "GET", path: "/", query: [],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], payloadHash: SigV4.emptyPayloadHash)
        #expect(canonical == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4.emptyPayloadHash)
        #expect(signed == "host;x-amz-date")
        let toSign = SigV4.stringToSign(canonicalRequest: canonical, scope: scope)
        #expect(SigV4.signature(stringToSign: toSign, secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope: scope)
            == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    static let lockPutTime = Timestamp(year: 2026, month: 1, day: 15, hour: 12)!
    static let credentials = S3Credentials(accessKeyID: "AKIATESTADMIN0000001", secretAccessKey: "testsecret-admin-0000000000000000000000")
    static let key = "/worm-exports/org-7f3c/2024/gobd export ä+1.tar.gz"
    static let payloadHash = "4f6df45368b3b43ae776659d7cac23060fea77c83d6d898409ba68a018838be2"
    static let lockHeaders: [(name: String, value: String)] = [
        ("Host", "127.0.0.1:20002"), ("Content-Type", "application/gzip"), ("Content-Length", "18"),
        ("Content-MD5", "CLKs7jnPRFwEoxl/zG5P7A=="), ("x-amz-checksum-sha256", "T230U2iztDrndmWdfKwjBg/qd8g9bYmECbpooBiDi+I="),
        ("x-amz-object-lock-mode", "COMPLIANCE"), ("x-amz-object-lock-retain-until-date", "2036-01-01T00:00:00Z"),
    ]

    /// Our lock PUT, path-style, a key with a space, `ä` and `+` (botocore's canonical request
    /// and signature, reproduced independently).
    @Test("the Object Lock PUT vector: canonical request and Authorization exactly as botocore makes them")
    func lockPut() {
        var headers = Self.lockHeaders
        let scope = SigV4.Scope(time: Self.lockPutTime, region: "eu-central-1")
        SigV4.sign(method: "PUT", path: Self.key, query: [], headers: &headers, payloadHash: Self.payloadHash,
                   credentials: Self.credentials, scope: scope)
        let (canonical, _) = SigV4.canonicalRequest(method: "PUT", path: Self.key, query: [],
                                                    headers: headers.filter { $0.name != "Authorization" }, payloadHash: Self.payloadHash)
        #expect(canonical == """
            PUT
            /worm-exports/org-7f3c/2024/gobd%20export%20%C3%A4%2B1.tar.gz

            content-md5:CLKs7jnPRFwEoxl/zG5P7A==
            content-type:application/gzip
            host:127.0.0.1:20002
            x-amz-checksum-sha256:T230U2iztDrndmWdfKwjBg/qd8g9bYmECbpooBiDi+I=
            x-amz-content-sha256:4f6df45368b3b43ae776659d7cac23060fea77c83d6d898409ba68a018838be2
            x-amz-date:20260115T120000Z
            x-amz-object-lock-mode:COMPLIANCE
            x-amz-object-lock-retain-until-date:2036-01-01T00:00:00Z

            content-md5;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-object-lock-mode;x-amz-object-lock-retain-until-date
            4f6df45368b3b43ae776659d7cac23060fea77c83d6d898409ba68a018838be2
            """)
        #expect(SigV4.stringToSign(canonicalRequest: canonical, scope: scope) == """
            AWS4-HMAC-SHA256
            20260115T120000Z
            20260115/eu-central-1/s3/aws4_request
            3e28aa1889bcb53b65810e30229662d42d8b8cc4d1119f17a42e3f72fa95c065
            """)
        let authorization = headers.first { $0.name == "Authorization" }?.value
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIATESTADMIN0000001/20260115/eu-central-1/s3/aws4_request, "
            + "SignedHeaders=content-md5;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;"
            + "x-amz-object-lock-mode;x-amz-object-lock-retain-until-date, "
            + "Signature=a8a01e4a325ae3c68865e1ec17d707c1008d5d4cc8dd7db4280a594e6a58bdc3")
        #expect(headers.contains { $0.name == "x-amz-date" && $0.value == "20260115T120000Z" })
        #expect(headers.contains { $0.name == "x-amz-content-sha256" && $0.value == Self.payloadHash })
        #expect(!headers.contains { $0.name == "x-amz-security-token" })
    }

    /// The mistakes SeaweedFS accepts give other signatures — the published ones, so the test
    /// also shows the vector's inputs are what the document says.
    @Test("wrong region, wrong service, a double-encoded path: each a different (known) signature", arguments: [
        ("us-east-1", "s3", false, "540cb1a3e9ce6e7b6b03af0d1255af50a67d3ffe32b8b637ec7f3fbb26ace0d7"),
        ("eu-central-1", "iam", false, "4dd5525a99b0ac266ada5c68dfabed6638626c7af8de98a60ed609f471fce391"),
        ("eu-central-1", "s3", true, "8d217fbb7ff1b30645a45bb56a42fe326bbd102f8539712b99ec0535480ae2a6"),
    ])
    func wrongSignatures(region: String, service: String, doubleEncoded: Bool, expected: String) {
        let scope = SigV4.Scope(time: Self.lockPutTime, region: region, service: service)
        var headers = Self.lockHeaders
        headers.append(("x-amz-date", scope.amzDate))
        headers.append(("x-amz-content-sha256", Self.payloadHash))
        var (canonical, _) = SigV4.canonicalRequest(method: "PUT", path: Self.key, query: [], headers: headers, payloadHash: Self.payloadHash)
        if doubleEncoded {
            let once = SigV4.canonicalURI(Self.key)
            canonical = canonical.replacingFirst(once, with: SigV4.uriEncode(once, keepSlash: true))
        }
        let signature = SigV4.signature(stringToSign: SigV4.stringToSign(canonicalRequest: canonical, scope: scope),
                                        secret: Self.credentials.secretAccessKey, scope: scope)
        #expect(signature == expected)
        #expect(signature != "a8a01e4a325ae3c68865e1ec17d707c1008d5d4cc8dd7db4280a594e6a58bdc3")
    }

    @Test("canonical query: encoded, sorted by key, empty values kept as k=")
    func query() {
        #expect(SigV4.canonicalQuery([("versionId", "3/a b+c"), ("retention", "")]) == "retention=&versionId=3%2Fa%20b%2Bc")
        #expect(SigV4.canonicalQuery([("partNumber", "2"), ("uploadId", "x~y")]) == "partNumber=2&uploadId=x~y")
        #expect(SigV4.canonicalQuery([]) == "")
    }

    @Test("canonical headers: lower-cased, sorted, spaces trimmed and collapsed, unsigned names left out")
    func headers() {
        let (block, signed) = SigV4.canonicalHeaders([("X-Amz-Meta-Note", "  a   b  "), ("Host", "h"), ("User-Agent", "x"),
                                                      ("Content-Length", "3"), ("x-amz-meta-note", "c")])
        #expect(block == "host:h\nx-amz-meta-note:a b,c\n" && signed == "host;x-amz-meta-note")
    }

    @Test("temporary credentials: the session token is sent and signed; the secret never described")
    func sessionToken() {
        let credentials = S3Credentials(accessKeyID: "AKIA", secretAccessKey: "s3cr3t", sessionToken: "tok")
        var headers: [(name: String, value: String)] = [("Host", "h")]
        SigV4.sign(method: "GET", path: "/b/k", query: [], headers: &headers, payloadHash: SigV4.emptyPayloadHash,
                   credentials: credentials, scope: SigV4.Scope(time: Self.lockPutTime, region: "eu-central-1"))
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "tok" })
        #expect(headers.last?.value.contains("x-amz-security-token") == true)
        #expect(!credentials.description.contains("s3cr3t") && !credentials.description.contains("tok"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
