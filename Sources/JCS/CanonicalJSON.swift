/// A JSON value, serialised canonically per RFC 8785 (JCS) for hashed payloads.
///
/// Supported numbers are integers within ±2^53 (exact in I-JSON); money travels as strings.
/// Object keys are sorted by their UTF-16 code units (RFC 8785 §3.2.3), there is no
/// whitespace, and strings escape only `"`, `\` and control characters (§3.2.2.2).
public indirect enum CanonicalJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])
    /// JSON text produced and validated elsewhere (a `jsonb`-checked column), written as is. The
    /// whole is canonical only if that text is; API responses use it, hashed payloads do not.
    case verbatim(String)

    /// The canonical text.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .verbatim(let text): out += text
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        var bytes: [UInt8] = []
        JSONEscaping.appendString(s, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }
}
