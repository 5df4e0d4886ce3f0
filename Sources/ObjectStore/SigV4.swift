import Chronology
import Crypto

/// AWS Signature Version 4 as S3 checks it (docs/s3-object-lock.md §3; AWS "Create a signed AWS
/// API request"): the canonical request, the string to sign, the signing key and the signature,
/// computed from values only (the clock and the credentials are passed in).
///
/// Three mistakes here pass unnoticed by SeaweedFS (it accepts any region and service in the
/// scope, a double-encoded path, and a payload hash that is not the body's), so only the
/// reference vectors in `SigV4Tests` catch them.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash of a request without a body: SHA-256 of zero bytes.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The credential scope's parts and the request time.
    public struct Scope: Sendable, Equatable {
        /// `YYYYMMDDTHHMMSSZ` (`x-amz-date`).
        public let amzDate: String
        /// `YYYYMMDD`.
        public let day: String
        public let region: String
        public let service: String

        public init(time: Timestamp, region: String, service: String = "s3") {
            let t = time.rfc3339  // YYYY-MM-DDTHH:MM:SS.ffffffZ for years 0…9999
            let digits = Array(t.utf8)
            func part(_ range: Range<Int>) -> String { String(decoding: digits[range], as: UTF8.self) }
            day = part(0..<4) + part(5..<7) + part(8..<10)
            amzDate = day + "T" + part(11..<13) + part(14..<16) + part(17..<19) + "Z"
            self.region = region
            self.service = service
        }

        /// `YYYYMMDD/region/service/aws4_request`.
        public var credentialScope: String { "\(day)/\(region)/\(service)/aws4_request" }
    }

    /// The header names S3 requests sign: `host`, `content-type`, `content-md5` and every
    /// `x-amz-*` (what botocore signs; `content-length`, `user-agent`, `expect` stay unsigned).
    public static func isSigned(_ lowercasedName: String) -> Bool {
        lowercasedName == "host" || lowercasedName == "content-type" || lowercasedName == "content-md5"
            || lowercasedName.hasPrefix("x-amz-")
    }

    /// Percent-encodes every byte but `A–Z a–z 0–9 - _ . ~` (and `/` when `keepSlash`), with
    /// upper-case hex: once — S3 does not double-encode the path, unlike other services.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical URI of a path given unencoded (`/bucket/key with spaces`).
    public static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
    }

    /// Keys and values encoded, sorted by key (then value), `k=v` joined by `&`; an empty
    /// value stays `k=` (`?retention` is `retention=`).
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (uriEncode($0.name, keepSlash: false), uriEncode($0.value, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The signed headers: names lower-cased and sorted, values trimmed with inner runs of
    /// spaces collapsed; repeated names joined with `,`. Returns the canonical header block
    /// (each line `name:value\n`) and the `SignedHeaders` list.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard isSigned(lower) else { continue }
            byName[lower, default: []].append(normalized(value))
        }
        let names = byName.keys.sorted()
        let block = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Leading and trailing spaces trimmed, runs of spaces made one.
    static func normalized(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// The canonical request: method, URI, query, headers, signed headers and payload hash,
    /// joined by `\n`.
    public static func canonicalRequest(method: String, path: String, query: [(name: String, value: String)],
                                        headers: [(name: String, value: String)], payloadHash: String) -> (text: String, signedHeaders: String) {
        let (block, signed) = canonicalHeaders(headers)
        let text = [method, canonicalURI(path), canonicalQuery(query), block, signed, payloadHash].joined(separator: "\n")
        return (text, signed)
    }

    /// `AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256(canonical request)>`.
    public static func stringToSign(canonicalRequest: String, scope: Scope) -> String {
        [algorithm, scope.amzDate, scope.credentialScope, Hex.encode(SHA256.hash(Array(canonicalRequest.utf8)))].joined(separator: "\n")
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    public static func signingKey(secret: String, scope: Scope) -> [UInt8] {
        var key = Array(("AWS4" + secret).utf8)
        for part in [scope.day, scope.region, scope.service, "aws4_request"] {
            key = HMACSHA256.authenticationCode(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// The lower-case hex signature of `stringToSign`.
    public static func signature(stringToSign: String, secret: String, scope: Scope) -> String {
        Hex.encode(HMACSHA256.authenticationCode(key: signingKey(secret: secret, scope: scope), message: Array(stringToSign.utf8)))
    }

    /// The `Authorization` header's value.
    public static func authorization(accessKeyID: String, scope: Scope, signedHeaders: String, signature: String) -> String {
        "\(algorithm) Credential=\(accessKeyID)/\(scope.credentialScope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// Signs a request: adds `x-amz-date`, `x-amz-content-sha256` and (temporary credentials)
    /// `x-amz-security-token` to `headers`, then `Authorization`. `headers` must hold `host`.
    public static func sign(method: String, path: String, query: [(name: String, value: String)],
                            headers: inout [(name: String, value: String)], payloadHash: String,
                            credentials: S3Credentials, scope: Scope) {
        headers.append(("x-amz-date", scope.amzDate))
        headers.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let (canonical, signedHeaders) = canonicalRequest(method: method, path: path, query: query, headers: headers,
                                                          payloadHash: payloadHash)
        let sig = signature(stringToSign: stringToSign(canonicalRequest: canonical, scope: scope),
                            secret: credentials.secretAccessKey, scope: scope)
        headers.append(("Authorization", authorization(accessKeyID: credentials.accessKeyID, scope: scope,
                                                       signedHeaders: signedHeaders, signature: sig)))
    }
}
