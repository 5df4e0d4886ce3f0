import Chronology
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test("the UTC date: the last microsecond of a day, and instants before 1970, fall on the right day")
    func utcDate() {
        #expect(Timestamp(year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999)!.utcDate == CalendarDate(year: 2026, month: 12, day: 31)!)
        #expect(Timestamp(year: 2027, month: 1, day: 1)!.utcDate == CalendarDate(year: 2027, month: 1, day: 1)!)
        #expect(Timestamp(microsecondsSinceEpoch: -1).utcDate == CalendarDate(year: 1969, month: 12, day: 31)!)
    }

    @Test("RFC 3339 rendering always has six fraction digits and Z")
    func rendering() {
        #expect(Timestamp(microsecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(year: 2024, month: 1, day: 31, hour: 9, minute: 15, second: 2, microsecond: 123_456)!.rfc3339
                == "2024-01-31T09:15:02.123456Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59)!.rfc3339Compact
                == "2024-02-29T23:59:59Z")
    }

    @Test("years 0 and 9999 render in scratch space; wider years take the slow path with the same layout")
    func renderingAtTheYearEdges() {
        let last = Timestamp(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999)!
        #expect(last.rfc3339 == "9999-12-31T23:59:59.999999Z")
        #expect(Timestamp(year: 0, month: 1, day: 1)!.rfc3339 == "0000-01-01T00:00:00.000000Z")
        let next = Timestamp(microsecondsSinceEpoch: last.microsecondsSinceEpoch + 1)
        #expect(next.rfc3339 == "10000-01-01T00:00:00.000000Z")
        #expect(next.withRFC3339 { Array($0) } == Array(next.rfc3339.utf8))
        #expect(last.withRFC3339 { $0.count } == 27)
    }

    @Test("RFC 3339 parsing, offsets applied (RFC 3339 §5.6)", arguments: [
        ("2024-01-31T10:15:02+01:00", "2024-01-31T09:15:02.000000Z"),
        ("2024-01-31T09:15:02.123456Z", "2024-01-31T09:15:02.123456Z"),
        ("2024-01-31t09:15:02.5z", "2024-01-31T09:15:02.500000Z"),
        ("2024-01-01T00:30:00-05:30", "2024-01-01T06:00:00.000000Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000000Z"),
    ])
    func parsing(text: String, expected: String) {
        #expect(Timestamp(rfc3339: text)?.rfc3339 == expected)
    }

    @Test("invalid RFC 3339 is refused", arguments: [
        "2024-01-31T09:15:02", "2024-01-31 09:15:02Z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2024-01-31T24:00:00Z", "2024-01-31T23:59:60Z", "2024-01-31T09:15:02.1234567Z", "2024-01-31T09:15:02.Z",
        "2024-01-31T09:15:02+1:00", "+2024-01-31T09:15:02Z", "2024-01-31T09:15:02Z ", "",
    ])
    func invalid(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    /// Issue 12 A: rendering Int64.min microseconds trapped (seconds × 10^6 overflowed).
    @Test("every Int64 renders without trapping, in the fast and the wide-year layout", arguments: [
        Int64.min, Int64.min + 1, Int64.min + 999_999, -62_135_596_800_000_001, -1, 0, 253_402_300_800_000_000,
        Int64.max - 1, Int64.max,
    ])
    func renderingAtInt64Edges(micros: Int64) {
        let t = Timestamp(microsecondsSinceEpoch: micros)
        let text = t.rfc3339
        #expect(text.hasSuffix("Z") && text.contains("T"))
        #expect(t.withRFC3339 { Array($0) } == Array(text.utf8))
        _ = t.secondsSinceEpoch
    }

    @Test("Int64's ends render as the proleptic Gregorian instants they are")
    func int64EndsRendered() {
        #expect(Timestamp(microsecondsSinceEpoch: .min).rfc3339 == "-290308-12-21T19:59:05.224192Z")
        #expect(Timestamp(microsecondsSinceEpoch: .max).rfc3339 == "294247-01-10T04:00:54.775807Z")
    }

    @Test("arithmetic saturates instead of trapping")
    func saturation() {
        #expect(Timestamp(microsecondsSinceEpoch: .max).adding(seconds: 1).microsecondsSinceEpoch == .max)
        #expect(Timestamp(microsecondsSinceEpoch: .min).adding(seconds: -1).microsecondsSinceEpoch == .min)
        #expect(Timestamp(microsecondsSinceEpoch: 0).adding(seconds: .max).microsecondsSinceEpoch == .max)
        #expect(Timestamp(microsecondsSinceEpoch: 0).adding(seconds: .min).microsecondsSinceEpoch == .min)
        #expect(Timestamp(secondsSinceEpoch: .max).microsecondsSinceEpoch == .max)
        #expect(Timestamp(secondsSinceEpoch: .min).microsecondsSinceEpoch == .min)
        #expect(Timestamp(Date(timeIntervalSince1970: 1e300)).microsecondsSinceEpoch == .max)
        #expect(Timestamp(Date(timeIntervalSince1970: -1e300)).microsecondsSinceEpoch == .min)
    }

    @Test("parsed times are held to years 0001–9999 after the offset", arguments: [
        ("0000-01-01T00:00:00Z", false), ("0001-01-01T00:00:00Z", true), ("0001-01-01T00:00:00+00:01", false),
        ("9999-12-31T23:59:59.999999Z", true), ("9999-12-31T23:59:00-00:01", false), ("9999-12-31T00:00:00-23:59", true),
        ("9999-12-31T00:01:00-23:59", false), ("0001-01-01T23:58:00+23:59", false),
    ])
    func parsedRange(text: String, accepted: Bool) {
        #expect((Timestamp(rfc3339: text) != nil) == accepted)
        if let t = Timestamp(rfc3339: text) { #expect(t.isInRFC3339Range) }
    }

    @Test func dateConversionKeepsMicroseconds() {
        let t = Timestamp(microsecondsSinceEpoch: 1_795_701_476_123_456)
        #expect(Timestamp(t.date) == t)
        #expect(t.secondsSinceEpoch == 1_795_701_476)
    }
}

@Suite struct CalendarDateTests {
    @Test func epochs() {
        #expect(CalendarDate(year: 2000, month: 1, day: 1)!.daysSinceEpoch == 10_957)
        #expect(CalendarDate(daysSinceEpoch: 0).iso == "1970-01-01")
        #expect(CalendarDate(daysSinceEpoch: -1).iso == "1969-12-31")
    }

    @Test("ISO dates", arguments: ["2024-02-29", "1999-12-31", "2026-11-26"])
    func isoRoundTrip(text: String) {
        #expect(CalendarDate(iso: text)?.iso == text)
    }

    @Test("invalid ISO dates", arguments: ["2023-02-29", "2024-1-01", "2024-00-10", "24-01-01", "2024-01-01T"])
    func invalid(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func monthArithmetic() {
        let d = CalendarDate(iso: "2026-01-31")!
        #expect(d.firstOfMonth().iso == "2026-01-01")
        #expect(d.firstOfMonth(addingMonths: -1).iso == "2025-12-01")
        #expect(d.firstOfMonth(addingMonths: 13).iso == "2027-02-01")
        #expect(d.firstOfMonth(addingMonths: -25).iso == "2023-12-01")
    }

    @Test("canonicalRFC3339 reads back exactly what withRFC3339 writes, and refuses every other spelling of the instant", arguments: [
        "2024-01-31t09:15:02.123456Z", "2024-01-31T09:15:02.12345Z", "2024-01-31T09:15:02.123456+00:00", "2024-01-31T09:15:02Z",
        "2024-02-30T09:15:02.123456Z", "0000-01-01T00:00:00.000000Z", "2024-01-31T24:00:00.000000Z", " 024-01-31T09:15:02.123456Z",
    ])
    func canonical(other: String) {
        for t in [Timestamp(year: 2024, month: 1, day: 31, hour: 9, minute: 15, second: 2, microsecond: 123_456)!, Timestamp(microsecondsSinceEpoch: 0),
                  Timestamp(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999)!] {
            #expect(t.withRFC3339 { Timestamp(canonicalRFC3339: $0) } == t)
        }
        #expect(Array(other.utf8).withUnsafeBytes { Timestamp(canonicalRFC3339: $0) } == nil, "\(other)")
    }
}
