/// A fast, append-only JSON writer for API responses: members in the order written (no key
/// sorting, no intermediate values), strings escaped as RFC 8785 does. For hashed payloads use
/// `CanonicalJSON`. Keys are literals (written without escaping; they must be plain ASCII).
/// The bytes live in an unchecked buffer (`ByteBuffer`): one writer per response, one thread.
public struct JSONWriter {
    private let buffer: ByteBuffer
    /// Whether the next value in the current container is its first (no comma before it).
    private var atFirst = true
    /// `atFirst` of the enclosing containers.
    private var stack: [Bool] = []

    public init(capacity: Int = 1024) {
        buffer = ByteBuffer(capacity: capacity)
        stack.reserveCapacity(8)
    }

    /// The JSON text written so far.
    public var bytes: [UInt8] { buffer.array }

    public mutating func beginObject() { separator(); buffer.append(UInt8(ascii: "{")); stack.append(atFirst); atFirst = true }
    public mutating func endObject() { buffer.append(UInt8(ascii: "}")); atFirst = stack.removeLast() }
    public mutating func beginArray() { separator(); buffer.append(UInt8(ascii: "[")); stack.append(atFirst); atFirst = true }
    public mutating func endArray() { buffer.append(UInt8(ascii: "]")); atFirst = stack.removeLast() }

    /// `"name":` inside an object (the value follows).
    public mutating func key(_ name: StaticString) {
        separator()
        buffer.appendKey(name)
        atFirst = true   // the value that follows needs no comma
    }

    /// `"name":` for a name that is plain ASCII needing no escaping (a record's member names,
    /// from its column description), not a literal.
    public mutating func key(plain name: String) {
        separator()
        buffer.append(UInt8(ascii: "\""))
        var name = name
        name.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: ":"))
        atFirst = true
    }

    public mutating func string(_ value: String?) {
        separator()
        if let value { JSONEscaping.appendString(value, to: buffer) } else { buffer.append("null") }
    }

    /// A string from raw UTF-8 bytes (a text field straight from a database result), escaped;
    /// nil writes null.
    public mutating func string(utf8 value: UnsafeRawBufferPointer?) {
        separator()
        guard let value else { return buffer.append("null") }
        JSONEscaping.appendString(utf8: value, to: buffer)
    }

    public mutating func integer(_ value: Int?) { integer(value.map(Int64.init)) }

    public mutating func integer(_ value: Int64?) {
        separator()
        guard let v = value else { return buffer.append("null") }
        // Digits without a String, in place: a sign and 19 digits hold any Int64.
        buffer.write(maxCount: 20) { start in
            var out = UncheckedJSONOutput(start)
            out.integer(v)
            return out.count
        }
    }

    /// Lowercase hex of `value` as a JSON string.
    public mutating func hex(_ value: [UInt8]) {
        value.withUnsafeBytes { hex(raw: $0) }
    }

    /// Lowercase hex of raw bytes as a JSON string.
    public mutating func hex(raw value: UnsafeRawBufferPointer) {
        separator()
        buffer.appendQuotedHex(value)
    }

    /// Pre-rendered ASCII that needs no escaping (an RFC 3339 time, a UUID), quoted.
    public mutating func asciiString(raw value: UnsafeRawBufferPointer) {
        separator()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(value)
        buffer.append(UInt8(ascii: "\""))
    }

    /// A complete JSON value written by `body` straight into the buffer: `body` gets room for
    /// `maxCount` bytes and returns how many it wrote (more traps). For transcoders that know
    /// their worst case; what `body` writes must be valid JSON, as with `raw`.
    public mutating func rawValue(maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        separator()
        buffer.write(maxCount: maxCount, body)
    }

    public mutating func null() { separator(); buffer.append("null") }

    /// JSON text produced and validated elsewhere (a `jsonb`-checked column).
    public mutating func raw(_ json: String) {
        separator()
        var json = json
        json.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
    }

    /// JSON text produced and validated elsewhere, from raw bytes.
    public mutating func raw(utf8 json: UnsafeRawBufferPointer) { separator(); buffer.append(json) }

    @inline(__always)
    private mutating func separator() {
        if atFirst {
            atFirst = false
        } else {
            buffer.append(UInt8(ascii: ","))
        }
    }
}
