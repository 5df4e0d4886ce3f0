/// One bound parameter as libpq sends it: a type OID, a format and the bytes (nil = SQL NULL).
public struct PostgresBinding: Sendable, Hashable {
    /// Wire format of a parameter (`paramFormats` in `PQsendQueryParams`).
    public enum Format: Int32, Sendable { case text = 0, binary = 1 }

    public let type: PostgresType
    public let format: Format
    public let bytes: [UInt8]?

    public init(type: PostgresType, format: Format, bytes: [UInt8]?) {
        self.type = type
        self.format = format
        self.bytes = bytes
    }

    /// A text-format value.
    public static func text(_ value: String, type: PostgresType) -> PostgresBinding {
        PostgresBinding(type: type, format: .text, bytes: Array(value.utf8))
    }

    /// SQL NULL with an optional type hint.
    public static func null(type: PostgresType = .unspecified) -> PostgresBinding {
        PostgresBinding(type: type, format: .text, bytes: nil)
    }
}
