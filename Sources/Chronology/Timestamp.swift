import Foundation

/// An instant with PostgreSQL's precision: whole microseconds since 1970-01-01T00:00:00Z.
///
/// `timestamptz` is microseconds on the wire (binary format, `integer_datetimes`), so this type keeps
/// every digit; Foundation's `Date` is a `Double` and is offered only as a conversion.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch, UTC.
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The instant of `date`, rounded to the microsecond (saturating; NaN is the epoch).
    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        if micros.isNaN {
            microsecondsSinceEpoch = 0
        } else if micros >= 9.2e18 {
            microsecondsSinceEpoch = .max
        } else if micros <= -9.2e18 {
            microsecondsSinceEpoch = .min
        } else {
            microsecondsSinceEpoch = Int64(micros)
        }
    }

    /// Seconds since the Unix epoch (whole part), saturating at the ends of `Int64`'s range.
    public init(secondsSinceEpoch: Int64) {
        microsecondsSinceEpoch = Self.saturating(secondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000),
                                                 negative: secondsSinceEpoch < 0)
    }

    /// The first instant RFC 3339 and PostgreSQL's ISO input both accept: 0001-01-01T00:00:00Z
    /// (RFC 3339 §5.6 has four-digit years; PostgreSQL reads year 0000 as out of range).
    public static let earliest = Timestamp(microsecondsSinceEpoch: -62_135_596_800_000_000)
    /// The last such instant: 9999-12-31T23:59:59.999999Z.
    public static let latest = Timestamp(microsecondsSinceEpoch: 253_402_300_799_999_999)

    /// Whether this instant lies in `earliest...latest`, the range every time taken from outside
    /// (query parameters, cursors, request bodies) is held to.
    public var isInRFC3339Range: Bool {
        microsecondsSinceEpoch >= Self.earliest.microsecondsSinceEpoch
            && microsecondsSinceEpoch <= Self.latest.microsecondsSinceEpoch
    }

    /// UTC calendar fields.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                 microsecond: Int = 0) {
        guard (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0...999_999).contains(microsecond) else { return nil }
        let days = Int64(CivilDate.days(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        microsecondsSinceEpoch = seconds * 1_000_000 + Int64(microsecond)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }

    /// Whole seconds since the epoch (floor).
    public var secondsSinceEpoch: Int64 {
        let (q, r) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        return r < 0 ? q - 1 : q
    }

    /// RFC 3339 in UTC with exactly six fractional digits: `2024-01-31T09:15:02.123456Z`.
    /// This is also the `audit-v1` rendering of `occurred_at`.
    public var rfc3339: String { withRFC3339 { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with `rfc3339` rendered into a scratch buffer: no allocation for years
    /// 0…9999 (the API's hot path writes these straight into the response). Inlinable so that
    /// callers get it specialized (a generic call per field cost a metadata lookup).
    @inlinable
    public func withRFC3339<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: 27, alignment: 1) { out in
            guard render(into: out) else {
                return try Array(wideYearRFC3339.utf8).withUnsafeBytes(body)
            }
            return try body(UnsafeRawBufferPointer(out))
        }
    }

    /// The UTC calendar date of this instant.
    public var utcDate: CalendarDate {
        CalendarDate(daysSinceEpoch: Int(floorDivision(floorDivision(microsecondsSinceEpoch, 1_000_000).0, 86_400).0))
    }

    /// The UTC calendar and clock fields of this instant (floor division, so instants before
    /// 1970 get the right day). Defined for every `Int64`: nothing here can overflow (seconds
    /// times 10^6 can, at the ends of the range, so the micros come from the remainder).
    private var utcFields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micros: Int) {
        let (seconds, micros) = floorDivision(microsecondsSinceEpoch, 1_000_000)
        let (dayCount, secondOfDay) = floorDivision(seconds, 86_400)
        let (y, m, d) = CivilDate.civil(days: Int(dayCount))
        return (y, m, d, Int(secondOfDay) / 3600, Int(secondOfDay) % 3600 / 60, Int(secondOfDay) % 60, Int(micros))
    }

    /// Writes the 27 bytes of `rfc3339` into `out` (at least 27 bytes); false when the year is
    /// outside 0…9999 (then nothing is written).
    @usableFromInline
    func render(into out: UnsafeMutableRawBufferPointer) -> Bool {
        let f = utcFields
        guard (0...9999).contains(f.year), out.count >= 27 else { return false }
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            var k = at + width - 1
            while k >= at {
                out[k] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                k -= 1
            }
        }
        put(f.year, 0, 4); out[4] = 0x2D; put(f.month, 5, 2); out[7] = 0x2D; put(f.day, 8, 2); out[10] = 0x54
        put(f.hour, 11, 2); out[13] = 0x3A; put(f.minute, 14, 2); out[16] = 0x3A; put(f.second, 17, 2); out[19] = 0x2E
        put(f.micros, 20, 6); out[26] = 0x5A
        return true
    }

    /// `rfc3339` for years outside 0…9999 (signed or wider year field).
    @usableFromInline
    var wideYearRFC3339: String {
        let f = utcFields
        return "\(CivilDate.pad(f.year, 4))-\(CivilDate.pad(f.month, 2))-\(CivilDate.pad(f.day, 2))T"
            + "\(CivilDate.pad(f.hour, 2)):\(CivilDate.pad(f.minute, 2)):\(CivilDate.pad(f.second, 2)).\(CivilDate.pad(f.micros, 6))Z"
    }

    /// RFC 3339 in UTC with second precision when there is no fraction, else microseconds.
    public var rfc3339Compact: String {
        microsecondsSinceEpoch % 1_000_000 == 0
            ? String(rfc3339.prefix(19)) + "Z" : rfc3339
    }

    public var description: String { rfc3339 }

    public static func < (a: Self, b: Self) -> Bool { a.microsecondsSinceEpoch < b.microsecondsSinceEpoch }

    /// This instant moved by `seconds`, saturating at the ends of `Int64`'s range (callers that
    /// take times from outside hold them to `earliest...latest` first, far from either end).
    public func adding(seconds: Int64) -> Timestamp {
        let delta = Self.saturating(seconds.multipliedReportingOverflow(by: 1_000_000), negative: seconds < 0)
        return Timestamp(microsecondsSinceEpoch: Self.saturating(microsecondsSinceEpoch.addingReportingOverflow(delta),
                                                                 negative: delta < 0))
    }

    private static func saturating(_ r: (partialValue: Int64, overflow: Bool), negative: Bool) -> Int64 {
        r.overflow ? (negative ? .min : .max) : r.partialValue
    }

    private func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}

extension Timestamp {
    /// Reads exactly the rendering `withRFC3339` writes for years 0001–9999 —
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, 27 bytes, the `audit-v1` hashed text — and nothing else: no
    /// other spelling of the same instant (a lowercase `t`, fewer digits, an offset). For
    /// verifiers that must know the text is the one that was hashed, without a String per value.
    public init?(canonicalRFC3339 t: UnsafeRawBufferPointer) {
        guard t.count == 27, t[4] == 0x2D, t[7] == 0x2D, t[10] == 0x54, t[13] == 0x3A, t[16] == 0x3A, t[19] == 0x2E, t[26] == 0x5A else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for k in from..<(from + count) {
                let c = t[k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = number(0, 4), y >= 1, let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2), let mi = number(14, 2),
              let s = number(17, 2), let f = number(20, 6) else { return nil }
        self.init(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: f)
    }

    /// Parses an RFC 3339 `date-time` (section 5.6): `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    /// The offset is required; `t` and `z` are accepted as RFC 3339 allows; at most 6 fraction
    /// digits (PostgreSQL's precision). Leap seconds (`:60`) are refused, and so is any instant
    /// outside `earliest...latest` once the offset is applied (year 0000, or 9999-12-31T23:59-01:00,
    /// which is in year 10000) unless `anyYear` is set: bounds of a query may be any RFC 3339
    /// time (they bind as ±infinity beyond the range, see `Timestamp.postgresBinding`).
    public init?(rfc3339 text: String, anyYear: Bool = false) {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for i in at..<(at + count) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 20,
              let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                guard n < 6 else { return nil }
                micros = micros * 10 + Int(b[i] - 48)
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in n..<6 { micros *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                  let om = digits(i + 4, 2), oh <= 23, om <= 59 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count,
              let local = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute,
                                            second: second, microsecond: micros)
        else { return nil }
        let instant = local.adding(seconds: Int64(-offsetSeconds))
        guard anyYear || instant.isInRFC3339Range else { return nil }
        self = instant
    }
}
