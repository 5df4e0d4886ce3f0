/// Serialises response heads and chunk framing (RFC 9112 §4, §6, §7.1). Pure: the `Date` value
/// comes in as text (the shell caches it per second).
public enum ResponseSerializer {
    /// How the body is delimited on the wire.
    public enum Framing: Sendable, Equatable {
        /// No body and no length field (1xx, 204; 304 may still carry the length of the GET).
        case none
        case contentLength(Int)
        case chunked
        /// The body ends when the connection closes (HTTP/1.0 streaming).
        case closeDelimited
    }

    /// Appends the status line and fields to `out`. Fields whose name is not a token, or whose
    /// value holds CR, LF, NUL or another control character, are dropped: response splitting
    /// must never reach the wire. Returns how many fields were dropped.
    @discardableResult
    public static func head(status: Int, headers: HTTPHeaders, framing: Framing, close: Bool, date: String,
                            into out: inout [UInt8]) -> Int {
        if status == 200 {
            out.append(contentsOf: okLine)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        }
        var dropped = 0
        for field in headers {
            // framing and connection fields are ours to set (length first: most names differ there)
            switch field.name.utf8.count {
            case 4 where field.hasName("Date"), 10 where field.hasName("Connection"),
                 14 where field.hasName("Content-Length"), 17 where field.hasName("Transfer-Encoding"):
                continue
            default:
                break
            }
            // Checked and copied over the strings' contiguous UTF-8 (not byte by byte through
            // their views).
            var name = field.name, value = field.value
            let valid = name.withUTF8 { n in
                value.withUTF8 { v in
                    guard !n.isEmpty, n.allSatisfy(ByteClass.isTchar), v.allSatisfy(ByteClass.isFieldValue) else { return false }
                    appendLine(n, v, &out)
                    return true
                }
            }
            if !valid { dropped += 1 }
        }
        append("Date", date, &out)
        switch framing {
        case .none: break
        case .contentLength(let n): append("Content-Length", String(n), &out)
        case .chunked: append("Transfer-Encoding", "chunked", &out)
        case .closeDelimited: break
        }
        if close || framing == .closeDelimited { append("Connection", "close", &out) }
        out.append(0x0D)
        out.append(0x0A)
        return dropped
    }

    private static let okLine: [UInt8] = Array("HTTP/1.1 200 OK\r\n".utf8)

    /// `HTTP/1.1 100 Continue` (RFC 9110 §15.2.1).
    public static let continueLine: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// One chunk: hex size, CRLF, data, CRLF. Empty data would end the body, so it yields nothing.
    public static func chunk(_ data: [UInt8], into out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        out.append(contentsOf: String(data.count, radix: 16).utf8)
        out.append(0x0D)
        out.append(0x0A)
        out.append(contentsOf: data)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// The last chunk and an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    private static func append(_ name: StaticString, _ value: String, _ out: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendLine(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), $0, &out) }
    }

    /// `name: value` CRLF (RFC 9112 §5: no whitespace before the colon, one SP after it).
    private static func appendLine(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
        out.append(contentsOf: name)
        out.append(0x3A)
        out.append(0x20)
        out.append(contentsOf: value)
        out.append(0x0D)
        out.append(0x0A)
    }
}
