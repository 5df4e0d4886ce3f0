import Chronology
import Postgres

/// JSON pieces written through a raw pointer into room the caller reserved for the worst case
/// (`JSONWriter.rawValue(maxCount:)`): no capacity check and no call per piece. Only for the
/// backup-events page, whose rows are a few dozen fields each, thousands per response.
/// Strings are escaped exactly as `JSONEscaping` does (RFC 8785 §3.2.2.2).
struct UncheckedJSONOutput {
    let start: UnsafeMutablePointer<UInt8>
    private var p: UnsafeMutablePointer<UInt8>

    init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        p = start
    }

    /// Bytes written so far.
    var count: Int { p - start }

    /// Worst-case size of `string(utf8:)` for `value`: every byte as `\u00XX`, quotes, or null.
    static func stringBound(_ value: UnsafeRawBufferPointer?) -> Int { 6 * (value?.count ?? 0) + 4 }

    /// ASCII text that needs no escaping (keys with their punctuation, `null`).
    @inline(__always)
    mutating func literal(_ text: StaticString) {
        let source = text.utf8Start
        for i in 0..<text.utf8CodeUnitCount { p[i] = source[i] }
        p += text.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        p[0] = b
        p += 1
    }

    /// Bytes copied as they are (validated JSON, pre-rendered ASCII).
    mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, !raw.isEmpty else { return }
        UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: raw.count)
        p += raw.count
    }

    /// A decimal integer, or null.
    mutating func integer(_ value: Int64?) {
        guard let v = value else { return literal("null") }
        if v < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20, magnitude >= scale {
            digits += 1
            scale = scale &* 10
        }
        var k = digits - 1
        repeat {
            p[k] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
            magnitude /= 10
            k -= 1
        } while k >= 0
        p += digits
    }

    /// A JSON string of raw UTF-8, escaped; nil writes null.
    mutating func string(utf8 value: UnsafeRawBufferPointer?) {
        guard let value else { return literal("null") }
        byte(UInt8(ascii: "\""))
        let hex: StaticString = "0123456789abcdef"
        for b in value {
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                byte(b)
                continue
            }
            byte(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte(b)
            case 0x08: byte(UInt8(ascii: "b"))
            case 0x0C: byte(UInt8(ascii: "f"))
            case 0x0A: byte(UInt8(ascii: "n"))
            case 0x0D: byte(UInt8(ascii: "r"))
            case 0x09: byte(UInt8(ascii: "t"))
            default:
                literal("u00")
                byte(hex.utf8Start[Int(b >> 4)])
                byte(hex.utf8Start[Int(b & 0xF)])
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// A time as quoted RFC 3339 (27 bytes for years 0…9999, at most 34 beyond), or null.
    mutating func timestamp(_ t: Timestamp?) {
        guard let t else { return literal("null") }
        byte(UInt8(ascii: "\""))
        t.withRFC3339 { bytes($0) }
        byte(UInt8(ascii: "\""))
    }

    /// A binary uuid (16 bytes) as its quoted 36-character text.
    mutating func uuid(_ raw: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        UUIDText.withText(raw) { bytes($0) }
        byte(UInt8(ascii: "\""))
    }

    /// Lowercase hex of raw bytes, quoted.
    mutating func hex(_ raw: UnsafeRawBufferPointer) {
        let digits: StaticString = "0123456789abcdef"
        byte(UInt8(ascii: "\""))
        for b in raw {
            p[0] = digits.utf8Start[Int(b >> 4)]
            p[1] = digits.utf8Start[Int(b & 0x0f)]
            p += 2
        }
        byte(UInt8(ascii: "\""))
    }
}
