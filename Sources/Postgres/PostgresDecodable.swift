import Chronology
import Foundation

/// A Swift type that can be decoded from one binary-format result field.
public protocol PostgresDecodable {
    /// Decodes `cell`, or throws a `.decoding` error that names column, expected and actual type.
    static func decode(from cell: PostgresCell) throws(PostgresError) -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    @inlinable
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Wrapped? {
        guard cell.bytes != nil else { return nil }
        return try Wrapped.decode(from: cell)
    }
}

extension Int: PostgresDecodable {
    /// Accepts `int2`, `int4`, `int8` and `oid`.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int {
        let b = try cell.nonNull(expected: "an integer")
        guard let value = Int(postgresBinary: b, type: cell.type) else { throw cell.mismatch(expected: "int2, int4 or int8") }
        return value
    }

    /// The value of a binary `int2`, `int4`, `int8` or `oid` field; nil for another type or a
    /// wrong length. For transcoders that read raw fields of a result whose types they checked.
    public init?(postgresBinary b: UnsafeRawBufferPointer, type: PostgresType) {
        switch (type, b.count) {
        case (.int2, 2): self = Int(Int16(bitPattern: BigEndian.uint16(b, at: 0)))
        case (.int4, 4): self = Int(Int32(bitPattern: BigEndian.uint32(b, at: 0)))
        case (.oid, 4): self = Int(BigEndian.uint32(b, at: 0))
        case (.int8, 8): self = Int(Int64(bitPattern: BigEndian.uint64(b, at: 0)))
        default: return nil
        }
    }
}

extension Int64: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int64 {
        Int64(try Int.decode(from: cell))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int32 {
        let value = try Int.decode(from: cell)
        guard let narrow = Int32(exactly: value) else { throw cell.mismatch(expected: "int4", reason: "out of range") }
        return narrow
    }
}

extension String: PostgresDecodable {
    /// Accepts the textual types (`text`, `varchar`, `bpchar`, `name`, `json`, `xml`, `unknown`),
    /// `jsonb` (version byte 1 + text) and `uuid` (rendered lowercase). Invalid UTF-8 is an error,
    /// never silently repaired.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> String {
        let b = try cell.nonNull(expected: "text")
        if cell.type.isTextual { return try utf8(b, cell) }
        switch cell.type {
        case .jsonb:
            guard b.count >= 1, b[0] == 1 else { throw cell.mismatch(expected: "jsonb version 1") }
            return try utf8(UnsafeRawBufferPointer(rebasing: b[1...]), cell)
        case .uuid:
            guard b.count == 16 else { throw cell.mismatch(expected: "uuid") }
            return UUIDText.withText(b) { String(decoding: $0, as: UTF8.self) }
        default:
            throw cell.mismatch(expected: "text")
        }
    }

    private static func utf8(_ b: UnsafeRawBufferPointer, _ cell: PostgresCell) throws(PostgresError) -> String {
        // ASCII (most identifiers, labels, hosts) needs no validation beyond the high bit.
        if b.allSatisfy({ $0 < 0x80 }) { return String(decoding: b, as: UTF8.self) }
        guard let s = String(validating: b, as: UTF8.self) else {
            throw cell.mismatch(expected: "UTF-8 text", reason: "invalid UTF-8")
        }
        return s
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Bool {
        let b = try cell.nonNull(expected: "bool")
        guard cell.type == .bool, b.count == 1 else { throw cell.mismatch(expected: "bool") }
        return b[0] != 0
    }
}

extension Double: PostgresDecodable {
    /// Accepts `float4` and `float8` only: `numeric` must be decoded exactly (`PostgresNumeric`).
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Double {
        let b = try cell.nonNull(expected: "float8")
        switch (cell.type, b.count) {
        case (.float8, 8): return Double(bitPattern: BigEndian.uint64(b, at: 0))
        case (.float4, 4): return Double(Float(bitPattern: BigEndian.uint32(b, at: 0)))
        default: throw cell.mismatch(expected: "float4 or float8")
        }
    }
}

extension UUID: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> UUID {
        let b = try cell.nonNull(expected: "uuid")
        guard cell.type == .uuid, b.count == 16 else { throw cell.mismatch(expected: "uuid") }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                           b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

extension Timestamp: PostgresDecodable {
    /// Postgres epoch (2000-01-01) minus Unix epoch, in microseconds.
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    /// Accepts `timestamptz` and `timestamp` (the latter taken as UTC). Infinite values are errors.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Timestamp {
        let b = try cell.nonNull(expected: "timestamptz")
        guard cell.type == .timestamptz || cell.type == .timestamp, b.count == 8 else {
            throw cell.mismatch(expected: "timestamptz")
        }
        guard let value = Timestamp(postgresBinary: b) else {
            throw cell.mismatch(expected: "timestamptz", reason: "infinite or beyond Int64 microseconds since 1970")
        }
        return value
    }

    /// The instant of a binary `timestamptz` (or `timestamp`, taken as UTC) field; nil for
    /// ±infinity or a length other than 8. For transcoders that checked the column types.
    public init?(postgresBinary b: UnsafeRawBufferPointer) {
        guard b.count == 8 else { return nil }
        let raw = Int64(bitPattern: BigEndian.uint64(b, at: 0))
        // ±infinity are Int64's ends; PostgreSQL's finite range (to 294276 AD) can still pass
        // Int64.max once moved to the Unix epoch, so the sum is checked.
        guard raw != .max, raw != .min else { return nil }
        let (micros, overflow) = raw.addingReportingOverflow(Self.postgresEpochOffset)
        guard !overflow else { return nil }
        self.init(microsecondsSinceEpoch: micros)
    }
}

extension Date: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Date {
        try Timestamp.decode(from: cell).date
    }
}

extension CalendarDate: PostgresDecodable {
    /// Days from 1970-01-01 to 2000-01-01.
    static let postgresEpochDays = 10_957

    public static func decode(from cell: PostgresCell) throws(PostgresError) -> CalendarDate {
        let b = try cell.nonNull(expected: "date")
        guard cell.type == .date, b.count == 4 else { throw cell.mismatch(expected: "date") }
        let raw = Int32(bitPattern: BigEndian.uint32(b, at: 0))
        guard raw != .max, raw != .min else { throw cell.mismatch(expected: "date", reason: "infinite value") }
        return CalendarDate(daysSinceEpoch: Int(raw) + postgresEpochDays)
    }
}

extension PostgresNumeric: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> PostgresNumeric {
        let b = try cell.nonNull(expected: "numeric")
        guard cell.type == .numeric, let value = PostgresNumeric.decodeBinary(b) else {
            throw cell.mismatch(expected: "numeric")
        }
        return value
    }
}

extension Decimal: PostgresDecodable {
    /// Exact: refuses NaN, infinities and values beyond Decimal's 38 digits instead of rounding.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Decimal {
        let numeric = try PostgresNumeric.decode(from: cell)
        guard let decimal = numeric.decimal else {
            throw cell.mismatch(expected: "numeric within Decimal's range", reason: "value \(numeric.text)")
        }
        return decimal
    }
}

extension PostgresBytes: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> PostgresBytes {
        let b = try cell.nonNull(expected: "bytea")
        guard cell.type == .bytea else { throw cell.mismatch(expected: "bytea") }
        return PostgresBytes(Array(b))
    }
}

extension PostgresJSONB: PostgresDecodable {
    /// Accepts `jsonb` and `json`; the text is returned as the server rendered it.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> PostgresJSONB {
        guard cell.type == .jsonb || cell.type == .json else {
            _ = try cell.nonNull(expected: "jsonb")
            throw cell.mismatch(expected: "jsonb")
        }
        return PostgresJSONB(try String.decode(from: cell))
    }
}
