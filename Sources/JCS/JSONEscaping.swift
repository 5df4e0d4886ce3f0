/// String escaping shared by `CanonicalJSON` and `JSONWriter` (RFC 8785 §3.2.2.2): only `"`,
/// `\` and control characters are escaped, everything else is written as UTF-8. Runs without
/// anything to escape are copied in one piece.
public enum JSONEscaping {
    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var sink = ArraySink(bytes: out)
        out = []
        var s = s
        s.withUTF8 { appendString(utf8: UnsafeRawBufferPointer($0), to: &sink) }
        out = sink.bytes
    }

    static func appendString(_ s: String, to out: ByteBuffer) {
        var s = s
        var sink = out
        s.withUTF8 { appendString(utf8: UnsafeRawBufferPointer($0), to: &sink) }
    }

    static func appendString(utf8: UnsafeRawBufferPointer, to out: ByteBuffer) {
        var sink = out
        appendString(utf8: utf8, to: &sink)
    }

    /// The escaping itself, for any byte sink (inlinable: specialized for each, also in other
    /// modules).
    @inlinable
    public static func appendString<Sink: ByteSink>(utf8: UnsafeRawBufferPointer, to out: inout Sink) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            out.append(UnsafeRawBufferPointer(rebasing: utf8[runStart..<i]))
            runStart = i + 1
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                out.append("u00")
                out.append(hex.utf8Start[Int(b >> 4)])
                out.append(hex.utf8Start[Int(b & 0xF)])
            }
        }
        out.append(UnsafeRawBufferPointer(rebasing: utf8[runStart...]))
        out.append(UInt8(ascii: "\""))
    }
}
