import Chronology
import Compliance
import Testing

/// The retention table with its legal sources (docs/gobd-bao-export.md §9), the dates derived
/// from it, packages of several classes, and extending only.
@Suite struct RetentionRuleTests {
    @Test("country × class → years, as the law says", arguments: [
        (RetentionCountry.de, DocumentClass.books, 10),    // §147 Abs. 3 S. 1 Nr. 1 AO
        (.de, .vouchers, 8),                                // §147 Abs. 3 Nr. 4 AO (BEG IV), §14b Abs. 1 UStG
        (.de, .letters, 6),                                 // §147 Abs. 3 S. 1 Nr. 2, 3, 5 AO
        (.de, .realEstate, 10),                             // no AO period of its own: the longer of books and vouchers
        (.at, .books, 7), (.at, .vouchers, 7), (.at, .letters, 7),  // §132 Abs. 1 BAO
        (.at, .realEstate, 22),                             // §18 Abs. 10 UStG 1994
    ])
    func years(country: RetentionCountry, documentClass: DocumentClass, expected: Int) {
        #expect(RetentionRule.years(country, documentClass) == expected)
    }

    @Test("the document's example: a record of 01.02.2024, DE 10 years → 31.12.2034 and 2035-01-01T00:00:00Z")
    func example() throws {
        let n = RetentionRule.years(.de, .books)
        #expect(RetentionRule.lastDay(year: 2024, years: n)?.iso == "2034-12-31")
        #expect(RetentionRule.retainUntil(year: 2024, years: n)?.rfc3339Compact == "2035-01-01T00:00:00Z")
        // The period starts at the end of the calendar year: 1 January and 31 December give the same date.
        #expect(RetentionRule.legalRetainUntil(country: "DE", periodEnd: try #require(CalendarDate(iso: "2024-01-01")))
            == RetentionRule.legalRetainUntil(country: "DE", periodEnd: try #require(CalendarDate(iso: "2024-12-31"))))
    }

    @Test("S3's instant is the first moment after the law's last day, in UTC", arguments: [
        (RetentionCountry.de, DocumentClass.vouchers, 2025, "2033-12-31", "2034-01-01T00:00:00Z"),
        (.de, .letters, 2025, "2031-12-31", "2032-01-01T00:00:00Z"),
        (.at, .books, 2024, "2031-12-31", "2032-01-01T00:00:00Z"),
        (.at, .realEstate, 2024, "2046-12-31", "2047-01-01T00:00:00Z"),
    ])
    func dates(country: RetentionCountry, documentClass: DocumentClass, year: Int, lastDay: String, retainUntil: String) throws {
        let n = RetentionRule.years(country, documentClass)
        let day = try #require(RetentionRule.lastDay(year: year, years: n))
        let instant = try #require(RetentionRule.retainUntil(year: year, years: n))
        #expect(day.iso == lastDay && instant.rfc3339Compact == retainUntil)
        // Midnight UTC is 01:00 in Berlin and Vienna (CET): never before local midnight.
        #expect(instant.secondsSinceEpoch == Int64(day.adding(days: 1).daysSinceEpoch) * 86_400)
    }

    @Test("a package of several classes takes the longest period; none has none")
    func packages() {
        #expect(RetentionRule.years(.de, [.letters, .vouchers]) == 8)
        #expect(RetentionRule.years(.de, [.letters, .vouchers, .books]) == 10)
        #expect(RetentionRule.years(.at, [.books, .realEstate]) == 22)
        #expect(RetentionRule.years(.at, []) == nil)
    }

    @Test("extending only: a later or equal date is taken, an earlier one refused naming both")
    func extending() throws {
        let current = try #require(Timestamp(year: 2035, month: 1, day: 1))
        let later = try #require(Timestamp(year: 2036, month: 1, day: 1))
        let earlier = current.adding(seconds: -1)
        #expect(RetentionRule.extended(from: current, to: later) == .success(later))
        #expect(RetentionRule.extended(from: current, to: current) == .success(current))
        guard case .failure(let error) = RetentionRule.extended(from: current, to: earlier) else {
            Issue.record("a shorter date was accepted")
            return
        }
        #expect(error == .wouldShorten(current: current, requested: earlier))
        #expect(error.description.contains("2034-12-31T23:59:59Z") && error.description.contains("2035-01-01T00:00:00Z"))
    }

    @Test("the classes' CLI words, and the S3 date stays within RFC 3339 years")
    func words() {
        #expect(DocumentClass.allCases.map(\.rawValue) == ["books", "vouchers", "letters", "real-estate"])
        #expect(RetentionCountry(rawValue: "AT") == .at && RetentionCountry(rawValue: "at") == nil)
        #expect(RetentionRule.retainUntil(year: 9990, years: 10) == nil)
        #expect(RetentionRule.retainUntil(year: 9988, years: 10)?.rfc3339Compact == "9999-01-01T00:00:00Z")
    }
}
