import Gdpdu

/// One column of a table as it leaves the database (an expression of a binary COPY) and enters
/// the package (docs/gobd-bao-export.md §4 and §10): how its bytes arrive and how they are
/// written. A timestamp becomes three columns (date, time, the exact ISO UTC text).
public struct ExportColumn: Sendable {
    public enum Source: Sendable, Equatable {
        /// `uuid`: lowercase 8-4-4-4-12 text, AlphaNumeric.
        case uuid
        /// `text`: free text, quoted; CR and LF become spaces (IDEA cannot import them).
        case text
        /// `text` that the audit chain hashes: written exactly, or the export fails.
        case hashedText
        /// `date`: `DD.MM.YYYY`.
        case date
        /// `timestamptz`: date, time and ISO UTC columns.
        case timestamp
        /// `bigint`, `integer` or `smallint`: `<Numeric/>`.
        case integer
        /// `numeric` cast to text in the query: `<Numeric><Accuracy>n</Accuracy></Numeric>`.
        case decimal(accuracy: Int)
        /// `bytea` (a hash): lowercase hex, AlphaNumeric.
        case hex
    }

    /// The package column names: one, or three for a timestamp (date, time, UTC).
    public let names: [String]
    /// The SELECT expression (a column, a cast).
    public let expression: String
    public let source: Source
    /// `Description` in index.xml (German, ASCII transliterated: §4 "Names and descriptions").
    public let description: String?

    public init(_ name: String, _ expression: String? = nil, _ source: Source, _ description: String? = nil) {
        names = [name]
        self.expression = expression ?? name
        self.source = source
        self.description = description
    }

    /// A timestamp: its three package columns.
    public init(timestamp expression: String, date: String, time: String, utc: String, _ description: String) {
        names = [date, time, utc]
        self.expression = expression
        source = .timestamp
        self.description = description
    }

    /// The package columns, with `maxLengths` (characters seen, per package column of this one).
    func gdpduColumns(maxLengths: ArraySlice<Int>) -> [GdpduColumn] {
        let lengths = Array(maxLengths)
        switch source {
        case .uuid: return [GdpduColumn(names[0], .alphaNumeric(maxLength: 36), description: description)]
        case .text, .hashedText, .hex: return [GdpduColumn(names[0], .alphaNumeric(maxLength: max(1, lengths[0])), description: description)]
        case .date: return [GdpduColumn(names[0], .date, description: description)]
        case .integer: return [GdpduColumn(names[0], .numeric(accuracy: 0), description: description)]
        case .decimal(let accuracy): return [GdpduColumn(names[0], .numeric(accuracy: accuracy), description: description)]
        case .timestamp:
            return [GdpduColumn(names[0], .date, description: "Datum (UTC) - " + (description ?? "")),
                    GdpduColumn(names[1], .time, description: "Uhrzeit (UTC)"),
                    GdpduColumn(names[2], .alphaNumeric(maxLength: max(27, lengths[2])), description: "ISO 8601 UTC mit Mikrosekunden")]
        }
    }
}
