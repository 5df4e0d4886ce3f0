import Crypto
import HTTP1

/// One HTTP/1.1 request outside S3, on the same connection code (plain or TLS, with timeouts):
/// the DR exercise's probes of the API server it starts and its report to a webhook. The answer's
/// body is kept up to `limit` bytes.
public enum WebRequest {
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    public static func send(_ url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8] = [],
                            timeout: Double = 10, caBundle: String? = nil, limit: Int = 1 << 20) throws(ObjectStoreError) -> Answer {
        guard let target = Target(url) else { throw .refused("not an http(s) URL: \(url.prefix(200))") }
        var tls: TLSContext?
        if target.secure {
            do { tls = try TLSContext(caBundle: caBundle) } catch { throw .tls(error.description) }
        }
        let connection = try ClientConnection(host: target.host, port: target.port, tls: tls, timeout: timeout)
        defer { connection.close() }
        var head = "\(method) \(target.path) HTTP/1.1\r\nHost: \(target.hostField)\r\nUser-Agent: immoflow-compliance\r\nConnection: close\r\n"
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var kept: [UInt8] = []
        let answer = try connection.exchange(head: Array(head.utf8), body: body.isEmpty ? .none : .bytes(body), method: method, onHead: { _ in }) { bytes in
            if kept.count < limit { kept += bytes.prefix(limit - kept.count) }
        }
        return Answer(status: answer.status, body: kept)
    }

    /// scheme://host[:port][/path?query]
    struct Target {
        let secure: Bool
        let host: String
        let port: Int
        let path: String
        var hostField: String { (secure && port == 443) || (!secure && port == 80) ? host : "\(host):\(port)" }

        init?(_ url: String) {
            let secure: Bool
            var rest: Substring
            if url.hasPrefix("https://") {
                secure = true
                rest = url.dropFirst(8)
            } else if url.hasPrefix("http://") {
                secure = false
                rest = url.dropFirst(7)
            } else {
                return nil
            }
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            rest = rest.dropFirst(authority.count)
            guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }),
                  !rest.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
            var host = String(authority)
            var port = secure ? 443 : 80
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
                port = p
                host = String(authority[..<colon])
            }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.secure = secure
            self.host = host
            self.port = port
            path = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : String(rest))
        }
    }
}
