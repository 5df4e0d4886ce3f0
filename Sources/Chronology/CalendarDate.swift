/// A calendar date without time zone (PostgreSQL `date`), stored as days since 1970-01-01.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// A valid Gregorian date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        daysSinceEpoch = CivilDate.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` strictly.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) { CivilDate.civil(days: daysSinceEpoch) }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = components
        return "\(CivilDate.pad(y, 4))-\(CivilDate.pad(m, 2))-\(CivilDate.pad(d, 2))"
    }

    public var description: String { iso }

    public static func < (a: Self, b: Self) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The first day of the month `months` after this date's month.
    public func firstOfMonth(addingMonths months: Int = 0) -> CalendarDate {
        let (y, m, _) = components
        let index = y * 12 + (m - 1) + months
        let (ny, nm) = index.quotientAndRemainder(dividingBy: 12)
        return CalendarDate(year: nm < 0 ? ny - 1 : ny, month: (nm < 0 ? nm + 12 : nm) + 1, day: 1)!
    }
}
