import Chronology
import Gdpdu
import Postgres

/// One data file of a package: its columns, keys and the rows it takes — a binary COPY whose
/// filter reads the export's organization and period from settings of the transaction
/// (`immoflow.export_*`, bound by `set_config` with parameters: COPY takes none), in the
/// primary key's order (so a verifier checks uniqueness in constant memory).
public struct ExportTable: Sendable {
    public let name: String
    public let description: String
    public let columns: [ExportColumn]
    /// How many leading package columns form the primary key.
    public let primaryKeyCount: Int
    public let foreignKeys: [GdpduTable.ForeignKey]
    /// Whether the rows belong to the period (`Validity`); master data does not.
    public let periodic: Bool
    /// `FROM … WHERE …` of the COPY (static SQL: the values come from the settings).
    public let from: String
    /// The primary key's columns, for `ORDER BY`.
    public let orderBy: String

    public var fileName: String { name + ".csv" }

    /// Every package column name, in file order.
    public var columnNames: [String] { columns.flatMap(\.names) }

    /// `COPY (SELECT … ) TO STDOUT (FORMAT binary)`.
    public var copy: Query {
        Query(unsafeSQL: "COPY (SELECT " + columns.map(\.expression).joined(separator: ", ") + " " + from + " ORDER BY " + orderBy
                         + ") TO STDOUT (FORMAT binary)")
    }

    /// `SELECT count(*) …` of the same rows (for progress and the cross-check).
    public var count: Query {
        Query(unsafeSQL: "SELECT count(*) " + from)
    }

    /// The table as index.xml declares it, with the MaxLengths found in the data.
    public func gdpdu(maxLengths: [Int], validity: (from: CalendarDate, to: CalendarDate)?) -> GdpduTable {
        var all: [GdpduColumn] = []
        var at = 0
        for c in columns {
            all += c.gdpduColumns(maxLengths: maxLengths[at..<(at + c.names.count)])
            at += c.names.count
        }
        return GdpduTable(url: fileName, name: name, description: description, validity: periodic ? validity : nil,
                          primaryKey: Array(all.prefix(primaryKeyCount)), columns: Array(all.dropFirst(primaryKeyCount)), foreignKeys: foreignKeys)
    }
}
