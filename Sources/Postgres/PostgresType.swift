/// PostgreSQL type OIDs this layer knows by name (`pg_type.oid`, stable across versions).
public struct PostgresType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Lets the server infer the parameter type from context.
    public static let unspecified = PostgresType(rawValue: 0)
    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let char = PostgresType(rawValue: 18)
    public static let name = PostgresType(rawValue: 19)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int2 = PostgresType(rawValue: 21)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let oid = PostgresType(rawValue: 26)
    public static let json = PostgresType(rawValue: 114)
    public static let xml = PostgresType(rawValue: 142)
    public static let float4 = PostgresType(rawValue: 700)
    public static let float8 = PostgresType(rawValue: 701)
    public static let unknown = PostgresType(rawValue: 705)
    public static let boolArray = PostgresType(rawValue: 1000)
    public static let int2Array = PostgresType(rawValue: 1005)
    public static let int4Array = PostgresType(rawValue: 1007)
    public static let textArray = PostgresType(rawValue: 1009)
    public static let int8Array = PostgresType(rawValue: 1016)
    public static let bpchar = PostgresType(rawValue: 1042)
    public static let varchar = PostgresType(rawValue: 1043)
    public static let date = PostgresType(rawValue: 1082)
    public static let time = PostgresType(rawValue: 1083)
    public static let timestamp = PostgresType(rawValue: 1114)
    public static let timestampArray = PostgresType(rawValue: 1115)
    public static let dateArray = PostgresType(rawValue: 1182)
    public static let timestamptz = PostgresType(rawValue: 1184)
    public static let timestamptzArray = PostgresType(rawValue: 1185)
    public static let interval = PostgresType(rawValue: 1186)
    public static let numericArray = PostgresType(rawValue: 1231)
    public static let numeric = PostgresType(rawValue: 1700)
    public static let uuid = PostgresType(rawValue: 2950)
    public static let uuidArray = PostgresType(rawValue: 2951)
    public static let jsonb = PostgresType(rawValue: 3802)
    public static let jsonbArray = PostgresType(rawValue: 3807)
    public static let pgLSN = PostgresType(rawValue: 3220)

    /// Types whose binary representation is their UTF-8 text (PostgreSQL `textsend`).
    var isTextual: Bool {
        switch self {
        case .text, .varchar, .bpchar, .name, .json, .xml, .unknown, .char: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .unspecified: return "unspecified"
        case .bool: return "bool"
        case .bytea: return "bytea"
        case .char: return "char"
        case .name: return "name"
        case .int8: return "int8"
        case .int2: return "int2"
        case .int4: return "int4"
        case .text: return "text"
        case .oid: return "oid"
        case .json: return "json"
        case .xml: return "xml"
        case .float4: return "float4"
        case .float8: return "float8"
        case .unknown: return "unknown"
        case .bpchar: return "bpchar"
        case .varchar: return "varchar"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .interval: return "interval"
        case .numeric: return "numeric"
        case .uuid: return "uuid"
        case .jsonb: return "jsonb"
        case .textArray: return "text[]"
        case .int8Array: return "int8[]"
        case .uuidArray: return "uuid[]"
        case .pgLSN: return "pg_lsn"
        default: return "oid \(rawValue)"
        }
    }
}
