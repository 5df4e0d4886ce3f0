import Chronology

/// Statutory retention of an export package, as the S3 `RetainUntilDate` it must not undercut
/// (docs/gobd-bao-export.md §9): `(Y + N + 1)-01-01T00:00:00Z` for the calendar year Y of the
/// package's last record, N the longest period of its contents.
public enum RetentionRule {
    /// DE: §147 Abs. 3 AO — 10 years for books and records (the journal, the change log).
    /// AT: §132 BAO 7 years, 22 years for records of business-used real estate (§18 Abs. 10 UStG
    /// 1994) — the default for a property manager's packages.
    public static func years(country: String) -> Int {
        country == "AT" ? 22 : 10
    }

    /// The earliest lawful retain-until instant for a package whose last record is in `periodEnd`.
    public static func legalRetainUntil(country: String, periodEnd: CalendarDate) -> Timestamp {
        let year = periodEnd.components.year + years(country: country) + 1
        return Timestamp(year: year, month: 1, day: 1)!
    }
}
