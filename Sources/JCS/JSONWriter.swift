/// A fast, append-only JSON writer for API responses: members in the order written (no key
/// sorting, no intermediate values), strings escaped as RFC 8785 does. For hashed payloads use
/// `CanonicalJSON`.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var first = [true]

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); first.append(true) }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); first.removeLast() }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); first.append(true) }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); first.removeLast() }

    /// `"name":` inside an object (the value follows).
    public mutating func key(_ name: String) {
        separator()
        JSONEscaping.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        first[first.count - 1] = true   // the value that follows needs no comma
    }

    public mutating func string(_ value: String?) {
        separator()
        if let value { JSONEscaping.appendString(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func integer<I: BinaryInteger>(_ value: I?) {
        separator()
        if let value { bytes.append(contentsOf: String(value).utf8) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func null() { separator(); bytes.append(contentsOf: "null".utf8) }

    /// JSON text produced and validated elsewhere (a `jsonb`-checked column).
    public mutating func raw(_ json: String) { separator(); bytes.append(contentsOf: json.utf8) }

    private mutating func separator() {
        if first[first.count - 1] {
            first[first.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }
}

/// String escaping shared by `CanonicalJSON` and `JSONWriter` (RFC 8785 §3.2.2.2): only `"`,
/// `\` and control characters are escaped, everything else is written as UTF-8.
enum JSONEscaping {
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
