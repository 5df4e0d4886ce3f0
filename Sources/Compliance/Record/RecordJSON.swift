import Chronology
import JCS

/// A record's body members as JSON (the POST body of a new record, a spool line), read and
/// written from its column description: members named by `ColumnSpec.member`, checked by
/// `ColumnSpec.rule`. `null` is the same as leaving a member out.
public enum RecordJSON {
    /// The values of the body members of `json`. Unknown members are refused (a typo must not
    /// drop evidence), and so are members in `excluded` (present in the description, but not
    /// this writer's to choose).
    public static func values<Column: RecordColumns>(from json: JSONValue, excluded: Set<Column> = [],
                                                     as _: Column.Type = Column.self) throws(FieldError) -> RecordValues<Column> {
        guard let members = json.members else { throw FieldError("body", "must be a JSON object") }
        var byName: [String: Column] = [:]
        for column in Column.allCases where column.spec.isBodyMember && !excluded.contains(column) {
            byName[column.spec.member] = column
        }
        var given: [Column: JSONValue] = [:]
        for (key, member) in members {
            guard let column = byName[key] else { throw FieldError(key, "unknown member") }
            if !member.isNull { given[column] = member }
        }
        var values = RecordValues<Column>()
        for column in Column.allCases where column.spec.isBodyMember && !excluded.contains(column) {
            let spec = column.spec
            guard let member = given[column] else {
                if case .body(required: true) = spec.source { throw FieldError(spec.member, "is required") }
                continue
            }
            if let rule = spec.rule { values[column] = try value(of: member, rule, name: spec.member) }
        }
        return values
    }

    /// The JSON object of `record`'s body members that are not NULL; canonical (RFC 8785 member
    /// order).
    public static func object<R: ColumnRecord>(_ record: R) -> CanonicalJSON {
        var m: [String: CanonicalJSON] = [:]
        for column in R.Column.allCases where column.spec.isBodyMember {
            let value = record.value(column)
            guard !value.isNull else { continue }
            m[column.spec.member] = json(value, column.spec.type)
        }
        return .object(m)
    }

    /// A value as JSON: integers as numbers, times as RFC 3339 strings, a JSON object column as the
    /// object, bytes as lowercase hex.
    public static func json(_ value: ColumnValue, _ type: ColumnType) -> CanonicalJSON {
        switch value {
        case .null: .null
        case .integer(let i): .integer(i)
        case .text(let s): type == .jsonObjectText ? .verbatim(s) : .string(s)
        case .time(let t): .string(t.rfc3339)
        case .bytes: .string(value.textForm!)
        }
    }

    /// Checks one member against its rule; the value to store.
    static func value(of member: JSONValue, _ rule: FieldRule, name: String) throws(FieldError) -> ColumnValue {
        // Lengths count characters (Unicode scalars), as JSON Schema's maxLength does (RFC 8259 §7).
        func string(max: Int) throws(FieldError) -> String {
            guard let s = member.string else { throw FieldError(name, "must be a string") }
            guard !s.isEmpty, s.unicodeScalars.count <= max else { throw FieldError(name, "must be 1–\(max) characters") }
            guard !s.utf8.contains(0) else { throw FieldError(name, "must not contain NUL") }
            return s
        }
        switch rule {
        case .text(let max):
            return .text(try string(max: max))
        case .visibleASCII(let max):
            let s = try string(max: max)
            guard s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw FieldError(name, "must be visible ASCII") }
            return .text(s)
        case .uuid:
            let s = try string(max: 36)
            guard FieldSyntax.isLowercaseUUID(s) else { throw FieldError(name, "must be a lowercase UUID") }
            return .text(s)
        case .walSegment:
            let s = try string(max: 24)
            guard FieldSyntax.isWALSegment(s) else { throw FieldError(name, "must be a WAL segment name (24 upper-case hex digits)") }
            return .text(s)
        case .lsn:
            let s = try string(max: 17)
            guard FieldSyntax.isLSN(s) else { throw FieldError(name, "must be an LSN like 0/4000028") }
            return .text(s)
        case .oneOf(let allowed):
            let s = try string(max: allowed.map(\.utf8.count).max() ?? 1)
            guard allowed.contains(s) else { throw FieldError(name, "must be one of \(allowed.joined(separator: ", "))") }
            return .text(s)
        case .range(let range):
            // JSON Schema's integer: 121143.0 and 1.21143e5 are 121143; 1.5 and 1e400 are not integers.
            guard let i = member.exactInteger, range.contains(i) else {
                throw FieldError(name, "must be an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return .integer(i)
        case .time:
            guard let t = Timestamp(rfc3339: try string(max: 64)) else {
                throw FieldError(name, "must be an RFC 3339 time with offset in the years 0001–9999")
            }
            return .time(t)
        case .jsonObject(let maxBytes):
            guard member.members != nil else { throw FieldError(name, "must be a JSON object") }
            let text = member.canonical.text
            guard text.utf8.count <= maxBytes else { throw FieldError(name, "must be at most \(maxBytes / 1024) KiB") }
            guard !text.contains("\\u0000") else { throw FieldError(name, "must not contain NUL") }
            return .text(text)
        }
    }
}
