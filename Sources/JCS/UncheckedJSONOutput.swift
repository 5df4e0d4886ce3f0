/// JSON pieces written through a raw pointer into room the caller reserved for the worst case
/// (`JSONWriter.rawValue(maxCount:)`): no capacity check per piece. For transcoders whose rows
/// are a few dozen fields each, thousands per response (the backup-events page). Strings go
/// through `JSONEscaping` like every other JSON text here (RFC 8785 §3.2.2.2).
public struct UncheckedJSONOutput: ByteSink {
    public let start: UnsafeMutablePointer<UInt8>
    @usableFromInline var p: UnsafeMutablePointer<UInt8>

    public init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        p = start
    }

    /// Bytes written so far.
    public var count: Int { p - start }

    /// Worst-case size of `string(utf8:)` for `value`: every byte as `\u00XX`, quotes, or null.
    public static func stringBound(_ value: UnsafeRawBufferPointer?) -> Int { 6 * (value?.count ?? 0) + 4 }

    /// ASCII text that needs no escaping (keys with their punctuation, `null`).
    @inlinable @inline(__always)
    public mutating func literal(_ text: StaticString) {
        let source = text.utf8Start
        for i in 0..<text.utf8CodeUnitCount { p[i] = source[i] }
        p += text.utf8CodeUnitCount
    }

    @inlinable @inline(__always)
    public mutating func byte(_ b: UInt8) {
        p[0] = b
        p += 1
    }

    /// Bytes copied as they are (validated JSON, pre-rendered ASCII).
    public mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, !raw.isEmpty else { return }
        UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: raw.count)
        p += raw.count
    }

    /// A decimal integer, or null.
    public mutating func integer(_ value: Int64?) {
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
    public mutating func string(utf8 value: UnsafeRawBufferPointer?) {
        guard let value else { return literal("null") }
        JSONEscaping.appendString(utf8: value, to: &self)
    }

    /// Lowercase hex of raw bytes, quoted.
    public mutating func hex(_ raw: UnsafeRawBufferPointer) {
        let digits: StaticString = "0123456789abcdef"
        byte(UInt8(ascii: "\""))
        for b in raw {
            p[0] = digits.utf8Start[Int(b >> 4)]
            p[1] = digits.utf8Start[Int(b & 0x0f)]
            p += 2
        }
        byte(UInt8(ascii: "\""))
    }

    // ByteSink, for `JSONEscaping`.
    public mutating func append(_ b: UInt8) { byte(b) }
    public mutating func append(_ raw: UnsafeRawBufferPointer) { bytes(raw) }
    public mutating func append(_ text: StaticString) { literal(text) }
}
