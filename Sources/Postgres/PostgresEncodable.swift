import Chronology
import Foundation

/// A Swift value that can be bound as a query parameter.
///
/// Values go in text format with an explicit type (or `unspecified` for strings, so the server
/// infers `uuid`, `date`, … from context as psycopg does); `bytea` goes in binary.
public protocol PostgresEncodable: Sendable {
    /// The parameter as sent to the server.
    var postgresBinding: PostgresBinding { get }
}

/// A value that can be an element of a text-format array literal (`{"a","b"}`).
public protocol PostgresArrayElement: PostgresEncodable {
    /// The OID of the array type whose elements are `Self`.
    static var postgresArrayType: PostgresType { get }
}

extension String: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(self, type: .unspecified) }
    public static var postgresArrayType: PostgresType { .textArray }
}

extension Substring: PostgresEncodable {
    public var postgresBinding: PostgresBinding { .text(String(self), type: .unspecified) }
}

extension Int: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(String(self), type: .int8) }
    public static var postgresArrayType: PostgresType { .int8Array }
}

extension Int64: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(String(self), type: .int8) }
    public static var postgresArrayType: PostgresType { .int8Array }
}

extension Int32: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(String(self), type: .int4) }
    public static var postgresArrayType: PostgresType { .int4Array }
}

extension Int16: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(String(self), type: .int2) }
    public static var postgresArrayType: PostgresType { .int2Array }
}

extension Bool: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(self ? "t" : "f", type: .bool) }
    public static var postgresArrayType: PostgresType { .boolArray }
}

extension Double: PostgresEncodable {
    public var postgresBinding: PostgresBinding { .text("\(self)", type: .float8) }
}

extension UUID: PostgresArrayElement {
    /// Lowercase, as PostgreSQL renders `uuid::text` (Swift's `uuidString` is uppercase).
    public var postgresBinding: PostgresBinding { .text(uuidString.lowercased(), type: .uuid) }
    public static var postgresArrayType: PostgresType { .uuidArray }
}

extension Decimal: PostgresEncodable {
    public var postgresBinding: PostgresBinding { .text("\(self)", type: .numeric) }
}

extension PostgresNumeric: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(text, type: .numeric) }
    public static var postgresArrayType: PostgresType { .numericArray }
}

extension Timestamp: PostgresArrayElement {
    /// ISO 8601 with an explicit UTC offset, independent of the session's `TimeZone`/`DateStyle`.
    /// Instants outside the years 0001–9999 bind as `-infinity`/`infinity`: PostgreSQL's ISO
    /// input has no year 0000, RFC 3339 no wider years, and every time this project stores is in
    /// that range (migration 0005), so a bound beyond it compares exactly as the infinity does —
    /// and no value from outside can make a statement fail.
    public var postgresBinding: PostgresBinding {
        if isInRFC3339Range { return .text(rfc3339, type: .timestamptz) }
        return .text(self < Timestamp.earliest ? "-infinity" : "infinity", type: .timestamptz)
    }
    public static var postgresArrayType: PostgresType { .timestamptzArray }
}

extension CalendarDate: PostgresArrayElement {
    public var postgresBinding: PostgresBinding { .text(iso, type: .date) }
    public static var postgresArrayType: PostgresType { .dateArray }
}

extension Date: PostgresEncodable {
    public var postgresBinding: PostgresBinding { Timestamp(self).postgresBinding }
}

/// Raw bytes, bound as `bytea` in binary format.
public struct PostgresBytes: PostgresEncodable, Hashable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var postgresBinding: PostgresBinding { PostgresBinding(type: .bytea, format: .binary, bytes: bytes) }
}

/// JSON text bound as `jsonb` (the server validates it).
public struct PostgresJSONB: PostgresEncodable, Hashable {
    public let text: String
    public init(_ text: String) { self.text = text }
    public var postgresBinding: PostgresBinding { .text(text, type: .jsonb) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBinding: PostgresBinding {
        switch self {
        case .some(let value): return value.postgresBinding
        case .none: return .null()
        }
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// A text-format array literal; every element is double-quoted with `"` and `\` escaped
    /// (PostgreSQL manual 8.15.6), NULL elements are the bare word NULL.
    public var postgresBinding: PostgresBinding {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, element) in enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard let bytes = element.postgresBinding.bytes else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return PostgresBinding(type: Element.postgresArrayType, format: .text, bytes: out)
    }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}
