import Chronology

/// The periods a package is made for.
public enum ExportPeriod {
    /// Why `from`…`to` is not a period a package is made for, or nil: `from` after `to`, or more
    /// than ten years — the longest German retention (§147 Abs. 3 AO): older books need not exist.
    public static func problem(from: CalendarDate, to: CalendarDate) -> String? {
        if to < from { return "from \(from.iso) is after to \(to.iso)" }
        let (y, m, d) = from.components
        if let limit = CalendarDate(year: y + 10, month: m, day: 1)?.adding(days: d - 1), to >= limit {
            return "the period \(from.iso) to \(to.iso) is longer than 10 years"
        }
        return nil
    }
}
