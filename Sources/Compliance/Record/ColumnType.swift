/// The SQL type of a stored column: how its value is decoded, bound, rendered as text for a hash
/// chain (PostgreSQL's `::text` form) and shown in JSON and CSV.
public enum ColumnType: String, Sendable, CaseIterable {
    case bigint, smallint, integer, text, uuid, timestamptz, bytea
    /// `text` holding a JSON object (a CHECK makes it one); shown as the object itself in JSON.
    case jsonObjectText = "text (json object)"

    /// The `udt_name` information_schema reports for a column of this type.
    public var udtName: String {
        switch self {
        case .bigint: "int8"
        case .smallint: "int2"
        case .integer: "int4"
        case .text, .jsonObjectText: "text"
        case .uuid: "uuid"
        case .timestamptz: "timestamptz"
        case .bytea: "bytea"
        }
    }

    /// The SQL name, for casts in generated statements.
    public var sqlName: String {
        switch self {
        case .jsonObjectText: "text"
        default: rawValue
        }
    }
}
