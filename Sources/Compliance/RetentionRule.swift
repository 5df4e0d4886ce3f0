import Chronology

/// Statutory retention (docs/gobd-bao-export.md §9): how many years a document class is kept in
/// a country, from the end of the calendar year of its (last) record, and the S3
/// `RetainUntilDate` that must not undercut it.
///
///     Y = calendar year of the (last) record;  N = years(country, classes)
///     retain-until date (the law's last day)   31.12.(Y + N)
///     S3 RetainUntilDate                       (Y + N + 1)-01-01T00:00:00Z
///
/// UTC midnight of 1 January comes after local midnight in Berlin and Vienna, so the lock never
/// ends early. A package of several classes takes the longest period. Retention is only ever
/// extended (Ablaufhemmung, §147 Abs. 3 S. 5 AO; pending proceedings, §132 Abs. 1 BAO): see
/// `extended(from:to:)`.
public enum RetentionRule {
    /// Years of retention for `documentClass` in `country`.
    public static func years(_ country: RetentionCountry, _ documentClass: DocumentClass) -> Int {
        switch (country, documentClass) {
        // §147 Abs. 3 S. 1 Nr. 1 AO: Bücher, Aufzeichnungen, Inventare, Jahresabschlüsse … 10 Jahre.
        case (.de, .books): 10
        // §147 Abs. 3 S. 1 Nr. 4 AO (BEG IV, in force for 2025 onwards) and §14b Abs. 1 UStG:
        // Buchungsbelege, Rechnungen included, 8 Jahre.
        case (.de, .vouchers): 8
        // §147 Abs. 3 S. 1 Nr. 2, 3, 5 AO: Handels- und Geschäftsbriefe, sonstige Unterlagen, 6 Jahre.
        case (.de, .letters): 6
        // The AO has no period of its own for real estate: such records are books or vouchers,
        // and the longer of the two is kept (docs/decisions.md).
        case (.de, .realEstate): 10
        // §132 Abs. 1 BAO: Bücher, Aufzeichnungen, Belege und Geschäftspapiere, 7 Jahre.
        case (.at, .books), (.at, .vouchers), (.at, .letters): 7
        // §18 Abs. 10 UStG 1994 (with §132 Abs. 1 BAO): records of business-used real estate, 22 Jahre.
        case (.at, .realEstate): 22
        }
    }

    /// The longest period of `classes` (a package of several classes); nil for none.
    public static func years(_ country: RetentionCountry, _ classes: [DocumentClass]) -> Int? {
        classes.map { years(country, $0) }.max()
    }

    /// The law's last day of retention for a record of `year`: 31 December of `year + years`
    /// (§147 Abs. 4 AO, §132 Abs. 1 BAO: the period starts at the end of the calendar year).
    public static func lastDay(year: Int, years: Int) -> CalendarDate? {
        CalendarDate(year: year + years, month: 12, day: 31)
    }

    /// The S3 `RetainUntilDate` for a record of `year` kept `years` years: the instant after the
    /// law's last day, `(year + years + 1)-01-01T00:00:00Z`; nil beyond year 9999.
    public static func retainUntil(year: Int, years: Int) -> Timestamp? {
        let until = year + years + 1
        guard (1...9999).contains(until) else { return nil }
        return Timestamp(year: until, month: 1, day: 1)
    }

    /// The retain-until a lock set at `current` may be moved to: `requested` when it is not
    /// earlier (extending or keeping), else the refusal — a lock is never shortened (S3 refuses
    /// it for COMPLIANCE anyway; refused here before anything is sent).
    public static func extended(from current: Timestamp, to requested: Timestamp) -> Result<Timestamp, RetentionError> {
        requested >= current ? .success(requested) : .failure(.wouldShorten(current: current, requested: requested))
    }

    /// DE packages as books (10 years); AT packages of a property manager as real-estate records
    /// (22 years, the default of docs/gobd-bao-export.md §9): the earliest lawful retain-until of
    /// a package whose last record is in `periodEnd`. Unknown countries are treated as DE.
    public static func legalRetainUntil(country: String, periodEnd: CalendarDate) -> Timestamp {
        let country = RetentionCountry(rawValue: country) ?? .de
        let n = years(country, country == .at ? .realEstate : .books)
        return retainUntil(year: periodEnd.components.year, years: n) ?? .latest
    }
}
