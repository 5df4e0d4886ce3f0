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

    /// Appends the status line and fields to `out`: `headers`, then `extra` (a field the caller
    /// keeps apart from a shared set, such as a request ID), then `Date`, the framing and
    /// `Connection`. Fields whose name is not a token, or whose value holds CR, LF, NUL or
    /// another control character, are dropped: response splitting must never reach the wire.
    /// Returns how many fields were dropped.
    @discardableResult
    public static func head(status: Int, headers: HTTPHeaders, extra: (name: StaticString, value: String)? = nil,
                            framing: Framing, close: Bool, date: String, into out: inout [UInt8]) -> Int {
        if status == 200 {
            appendStatic(okLine, &out)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        }
        var dropped = 0
        // Over the fields in place (a `for field in headers` copies each one: four reference
        // counts per field and response).
        headers.fields.withUnsafeBufferPointer { fields in
            for i in fields.indices {
                // framing and connection fields are ours to set (length first: most names differ there)
                switch fields[i].name.utf8.count {
                case 4 where fields[i].hasName("Date"), 10 where fields[i].hasName("Connection"),
                     14 where fields[i].hasName("Content-Length"), 17 where fields[i].hasName("Transfer-Encoding"):
                    continue
                default:
                    break
                }
                if !appendChecked(fields[i].name, fields[i].value, &out) { dropped += 1 }
            }
        }
        if let extra, !appendChecked(UnsafeBufferPointer(start: extra.name.utf8Start, count: extra.name.utf8CodeUnitCount),
                                     extra.value, &out) {
            dropped += 1
        }
        append("Date", date, &out)
        switch framing {
        case .none: break
        case .contentLength(let n): appendContentLength(n, &out)
        case .chunked: append("Transfer-Encoding", "chunked", &out)
        case .closeDelimited: break
        }
        if close || framing == .closeDelimited { append("Connection", "close", &out) }
        out.append(0x0D)
        out.append(0x0A)
        return dropped
    }

    /// Constants as `StaticString`s: bytes in the binary, no lazy global (a `swift_once` call on
    /// every use).
    private static let okLine: StaticString = "HTTP/1.1 200 OK\r\n"

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
        withUTF8(value) { appendLine(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), $0, &out) }
    }

    /// `name: value` CRLF if the name is a token and the value a valid field value (checked and
    /// copied over the strings' contiguous UTF-8, not byte by byte through their views).
    private static func appendChecked(_ name: String, _ value: String, _ out: inout [UInt8]) -> Bool {
        withUTF8(name) { appendChecked($0, value, &out) }
    }

    private static func appendChecked(_ name: UnsafeBufferPointer<UInt8>, _ value: String, _ out: inout [UInt8]) -> Bool {
        withUTF8(value) { v in
            guard !name.isEmpty, name.allSatisfy(ByteClass.isTchar), v.allSatisfy(ByteClass.isFieldValue) else { return false }
            appendLine(name, v, &out)
            return true
        }
    }

    /// `Content-Length: n` CRLF, the digits written in place (no `String` per response).
    private static func appendContentLength(_ n: Int, _ out: inout [UInt8]) {
        precondition(n >= 0, "a negative Content-Length")
        appendStatic(contentLengthPrefix, &out)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for Int.max's 19 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var v = UInt(n), k = buffer.count
            repeat {
                k -= 1
                buffer[k] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[k...]))
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    private static let contentLengthPrefix: StaticString = "Content-Length: "

    private static func appendStatic(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// The string's UTF-8 without copying a native string (a bridged or other foreign string is
    /// copied once).
    private static func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return copy.withUTF8(body)
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
