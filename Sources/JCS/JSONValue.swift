/// A parsed JSON value (RFC 8259). Object members keep their order; integers that fit are exact
/// `Int64`s (pgBackRest's `system-id` exceeds 2^53, so never go through `Double`); any other
/// number is kept as its text.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A number that is not an `Int64` (fraction, exponent, or out of range), as written.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var integer: Int64? { if case .integer(let i) = self { i } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var members: [(key: String, value: JSONValue)]? { if case .object(let m) = self { m } else { nil } }
    public var isNull: Bool { self == .null }

    /// The canonical form (RFC 8785 member order; numbers other than integers kept as written).
    public var canonical: CanonicalJSON {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let text): .verbatim(text)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.canonical))
        case .object(let members): .object(Dictionary(members.map { ($0.key, $0.value.canonical) }, uniquingKeysWith: { _, last in last }))
        }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}
