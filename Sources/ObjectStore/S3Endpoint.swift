import HTTP1

/// Where the bucket is: the endpoint URL (`AWS_ENDPOINT_URL_S3`, else
/// `https://s3.<region>.amazonaws.com`) and the addressing style. Path-style puts the bucket in
/// the path (`host/bucket/key`: S3-compatible servers, IP endpoints); virtual-host style in the
/// host name (`bucket.host/key`: AWS's default).
public struct S3Endpoint: Sendable, Equatable {
    public enum Addressing: String, Sendable {
        case path, virtualHost = "virtual"
    }

    public let secure: Bool
    public let host: String
    public let port: Int
    public let addressing: Addressing

    public init(secure: Bool, host: String, port: Int, addressing: Addressing) {
        self.secure = secure
        self.host = host
        self.port = port
        self.addressing = addressing
    }

    /// Reads `http[s]://host[:port][/]`; nil for anything else (a path, a query, user info, a
    /// port out of range). IPv6 hosts in brackets. Path-style unless `addressing` says otherwise
    /// and the host is a name (a bucket cannot be a subdomain of an IP address).
    public init?(url: String, addressing: Addressing? = nil) {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("https://") { secure = true; rest = url.dropFirst(8) } else if url.hasPrefix("http://") { secure = false; rest = url.dropFirst(7) } else { return nil }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else { return nil }
        var host = rest
        var port = secure ? 443 : 80
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Self.port(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Self.port(rest[rest.index(after: colon)...]) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        let isAddress = host.contains(":") || host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }
        self.init(secure: secure, host: String(host), port: port,
                  addressing: isAddress ? .path : (addressing ?? .path))
    }

    static func port(_ text: Substring) -> Int? {
        guard let p = DecimalParsing.decimal(Array(text.utf8)), (1...65535).contains(p) else { return nil }
        return Int(p)
    }

    /// The `Host` header for `bucket`: the port only when not the scheme's default.
    public func hostHeader(bucket: String) -> String {
        let name = host.contains(":") ? "[\(host)]" : host
        let base = addressing == .virtualHost ? "\(bucket).\(name)" : name
        return port == (secure ? 443 : 80) ? base : "\(base):\(port)"
    }

    /// The host to connect to for `bucket`.
    public func connectHost(bucket: String) -> String {
        addressing == .virtualHost ? "\(bucket).\(host)" : host
    }

    /// The unencoded path of `key` in `bucket` (`/bucket/key` or `/key`; `/bucket` for the
    /// bucket itself when `key` is empty).
    public func path(bucket: String, key: String) -> String {
        switch addressing {
        case .path: key.isEmpty ? "/\(bucket)" : "/\(bucket)/\(key)"
        case .virtualHost: "/\(key)"
        }
    }
}
