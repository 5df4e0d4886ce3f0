/// What a writer may put into a column (the JSON body of a new record, a spool line): checked
/// before anything is stored, so a refusal names the member instead of surfacing as SQL.
public enum FieldRule: Sendable, Equatable {
    /// 1…`max` characters (Unicode scalars, as JSON Schema counts) without NUL (PostgreSQL text
    /// cannot hold NUL).
    case text(max: Int)
    /// 1…`max` characters of visible ASCII (`!`…`~`).
    case visibleASCII(max: Int)
    /// A lowercase hyphenated UUID (`uuid::text`).
    case uuid
    /// A WAL segment name: 24 upper-case hex digits.
    case walSegment
    /// An LSN like `0/4000028`.
    case lsn
    /// One of these strings.
    case oneOf([String])
    /// An integer in the range (JSON Schema's integer: any number with a zero fraction).
    case range(ClosedRange<Int64>)
    /// An RFC 3339 date-time with offset in the years 0001–9999.
    case time
    /// A JSON object of at most `maxBytes` in canonical form.
    case jsonObject(maxBytes: Int)
}
