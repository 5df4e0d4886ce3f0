/// Everything about one column of a record type, in one place: the SQL column and type, the
/// JSON member and CSV header, whether the hash chain covers it, who supplies it, what a writer
/// may put into it, and (for the GDPdU declarations of the export packages) its maximum length.
public struct ColumnSpec: Sendable, Equatable {
    /// Who supplies a column's value.
    public enum Source: Sendable, Equatable {
        /// Assigned by the database (the chain trigger): never written by us.
        case database
        /// A member of the writer's JSON (POST body, spool line); `required` when it has no default.
        case body(required: Bool)
        /// Set by the writing code, not taken from a body (an idempotency key from a header).
        case writer
    }

    /// The SQL column name.
    public let column: String
    public let type: ColumnType
    public let nullable: Bool
    /// The JSON member name, also the CSV header.
    public let member: String
    /// Part of the chain's preimage (F/N field in column order).
    public let chained: Bool
    public let source: Source
    /// What a body may contain (nil: not writable from a body).
    public let rule: FieldRule?
    /// Maximum length in characters for text columns (GDPdU `MaxLength`), when bounded.
    public let maxLength: Int?

    public init(_ column: String, _ type: ColumnType, nullable: Bool, member: String? = nil, chained: Bool = true,
                source: Source, rule: FieldRule? = nil, maxLength: Int? = nil) {
        self.column = column
        self.type = type
        self.nullable = nullable
        self.member = member ?? column
        self.chained = chained
        self.source = source
        self.rule = rule
        self.maxLength = maxLength
    }

    /// Whether a writer (body or code) supplies the value: the INSERT's columns.
    public var isWritten: Bool { source != .database }

    /// Whether the value comes from a JSON body.
    public var isBodyMember: Bool { if case .body = source { true } else { false } }
}
