/// A fast, append-only JSON writer for API responses: members in the order written (no key
/// sorting, no intermediate values), strings escaped as RFC 8785 does. For hashed payloads use
/// `CanonicalJSON`. Keys are literals (written without escaping; they must be plain ASCII).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next value in the current container is its first (no comma before it).
    private var atFirst = true
    /// `atFirst` of the enclosing containers.
    private var stack: [Bool] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
        stack.reserveCapacity(8)
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); stack.append(atFirst); atFirst = true }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); atFirst = stack.removeLast() }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); stack.append(atFirst); atFirst = true }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); atFirst = stack.removeLast() }

    /// `"name":` inside an object (the value follows).
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        atFirst = true   // the value that follows needs no comma
    }

    public mutating func string(_ value: String?) {
        separator()
        if let value { JSONEscaping.appendString(value, to: &bytes) } else { appendNull() }
    }

    public mutating func integer(_ value: Int?) { integer(value.map(Int64.init)) }

    public mutating func integer(_ value: Int64?) {
        separator()
        guard let v = value else { return appendNull() }
        // Digits without a String: 20 bytes hold any Int64.
        var magnitude = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var k = buffer.count
            repeat {
                k -= 1
                buffer[k] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
            } while magnitude > 0
            return buffer.count - k
        }
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { bytes.append(contentsOf: $0[($0.count - count)...]) }
    }

    /// Lowercase hex of `value` as a JSON string.
    public mutating func hex(_ value: [UInt8]) {
        separator()
        let digits: StaticString = "0123456789abcdef"
        bytes.append(UInt8(ascii: "\""))
        for b in value {
            bytes.append(digits.utf8Start[Int(b >> 4)])
            bytes.append(digits.utf8Start[Int(b & 0x0f)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Pre-rendered ASCII that needs no escaping (an RFC 3339 time, an enum's raw value), quoted.
    public mutating func asciiString(_ value: [UInt8]?) {
        separator()
        guard let value else { return appendNull() }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: value)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func null() { separator(); appendNull() }

    /// A string from raw UTF-8 bytes (a text field straight from a database result), escaped;
    /// nil writes null.
    public mutating func string(utf8 value: UnsafeRawBufferPointer?) {
        separator()
        guard let value else { return appendNull() }
        JSONEscaping.appendString(utf8: value, to: &bytes)
    }

    /// A quoted string whose ASCII content `body` appends (it must need no escaping).
    public mutating func quotedASCII(_ body: (inout [UInt8]) -> Void) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        body(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Lowercase hex of raw bytes as a JSON string.
    public mutating func hex(raw value: UnsafeRawBufferPointer) {
        separator()
        let digits: StaticString = "0123456789abcdef"
        bytes.append(UInt8(ascii: "\""))
        for b in value {
            bytes.append(digits.utf8Start[Int(b >> 4)])
            bytes.append(digits.utf8Start[Int(b & 0x0f)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// JSON text produced and validated elsewhere, from raw bytes.
    public mutating func raw(utf8 json: UnsafeRawBufferPointer) { separator(); bytes.append(contentsOf: json) }

    /// JSON text produced and validated elsewhere (a `jsonb`-checked column).
    public mutating func raw(_ json: String) { separator(); bytes.append(contentsOf: json.utf8) }

    private mutating func appendNull() { bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")]) }

    private mutating func separator() {
        if atFirst {
            atFirst = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }
}
