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
        // Written in one pass into stack memory and appended to `out` at once (piece by piece,
        // every colon and CRLF cost a capacity and uniqueness check of the array); a head beyond
        // the stack buffer is written again into one of the size the first pass counted.
        var dropped = 0
        let needed = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer -> Int in
            var w = HeadWriter(buffer)
            dropped = write(status: status, headers: headers, extra: extra, framing: framing, close: close, date: date, into: &w)
            guard w.fits else { return w.count }
            out.append(contentsOf: w.written)
            return 0
        }
        if needed > 0 {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: needed) { buffer in
                var w = HeadWriter(buffer)
                _ = write(status: status, headers: headers, extra: extra, framing: framing, close: close, date: date, into: &w)
                out.append(contentsOf: w.written)
            }
        }
        return dropped
    }

    private static func write(status: Int, headers: HTTPHeaders, extra: (name: StaticString, value: String)?,
                              framing: Framing, close: Bool, date: String, into w: inout HeadWriter) -> Int {
        if status == 200 {
            w.write(okLine)
        } else {
            w.write("HTTP/1.1 ")
            writeDecimal(status, &w)
            w.write(0x20)
            withUTF8(HTTPStatus.reason(status)) { w.write($0) }
            w.endLine()
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
                if !writeChecked(fields[i].name, fields[i].value, &w) { dropped += 1 }
            }
        }
        if let extra, !writeChecked(UnsafeBufferPointer(start: extra.name.utf8Start, count: extra.name.utf8CodeUnitCount),
                                    extra.value, &w) {
            dropped += 1
        }
        write("Date", date, &w)
        switch framing {
        case .none: break
        case .contentLength(let n):
            precondition(n >= 0, "a negative Content-Length")
            w.write("Content-Length: ")
            writeDecimal(n, &w)
            w.endLine()
        case .chunked: w.write("Transfer-Encoding: chunked\r\n")
        case .closeDelimited: break
        }
        if close || framing == .closeDelimited { w.write("Connection: close\r\n") }
        w.endLine()
        return dropped
    }

    /// `HTTP/1.1 200 OK` CRLF: a `StaticString`, bytes in the binary (a lazy global would cost a
    /// `swift_once` call on every use).
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

    private static func write(_ name: StaticString, _ value: String, _ w: inout HeadWriter) {
        w.write(name)
        w.write(0x3A)
        w.write(0x20)
        withUTF8(value) { w.write($0) }
        w.endLine()
    }

    /// `name: value` CRLF if the name is a token and the value a valid field value (checked and
    /// copied over the strings' contiguous UTF-8, not byte by byte through their views).
    private static func writeChecked(_ name: String, _ value: String, _ w: inout HeadWriter) -> Bool {
        withUTF8(name) { writeChecked($0, value, &w) }
    }

    private static func writeChecked(_ name: UnsafeBufferPointer<UInt8>, _ value: String, _ w: inout HeadWriter) -> Bool {
        withUTF8(value) { v in
            guard !name.isEmpty, name.allSatisfy(ByteClass.isTchar), v.allSatisfy(ByteClass.isFieldValue) else { return false }
            // RFC 9112 §5: no whitespace before the colon, one SP after it.
            w.write(name)
            w.write(0x3A)
            w.write(0x20)
            w.write(v)
            w.endLine()
            return true
        }
    }

    /// A non-negative integer's decimal digits, written in place (no `String`).
    private static func writeDecimal(_ n: Int, _ w: inout HeadWriter) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in   // Int.max has 19
            var v = UInt(n), k = buffer.count
            repeat {
                k -= 1
                buffer[k] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v > 0
            w.write(UnsafeBufferPointer(rebasing: buffer[k...]))
        }
    }

    /// The string's UTF-8 without copying a native string (a bridged or other foreign string is
    /// copied once).
    private static func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return copy.withUTF8(body)
    }
}
