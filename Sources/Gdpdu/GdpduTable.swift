import Chronology

/// One data file of the package as `index.xml` declares it: always UTF-8, `,`/`.` symbols, a
/// header line skipped by `<Range><From>2</From></Range>`, `;` / CR LF / `"` (§4).
public struct GdpduTable: Sendable, Equatable {
    /// A foreign key: the columns here, positionally joined to the primary key of the table named
    /// `references` (its `Name`).
    public struct ForeignKey: Sendable, Equatable {
        public var columns: [String]
        public var references: String

        public init(_ columns: [String], references: String) {
            self.columns = columns
            self.references = references
        }
    }

    /// Relative file name in the package root (lowercase).
    public var url: String
    public var name: String
    public var description: String
    /// The period the records belong to (`Validity`), when the table has one.
    public var validity: (from: CalendarDate, to: CalendarDate)?
    public var primaryKey: [GdpduColumn]
    public var columns: [GdpduColumn]
    public var foreignKeys: [ForeignKey]

    public init(url: String, name: String, description: String, validity: (from: CalendarDate, to: CalendarDate)? = nil,
                primaryKey: [GdpduColumn], columns: [GdpduColumn], foreignKeys: [ForeignKey] = []) {
        self.url = url
        self.name = name
        self.description = description
        self.validity = validity
        self.primaryKey = primaryKey
        self.columns = columns
        self.foreignKeys = foreignKeys
    }

    /// Every column in file order: the primary key first.
    public var allColumns: [GdpduColumn] { primaryKey + columns }

    public static func == (a: Self, b: Self) -> Bool {
        a.url == b.url && a.name == b.name && a.description == b.description && a.validity?.from == b.validity?.from
            && a.validity?.to == b.validity?.to && a.primaryKey == b.primaryKey && a.columns == b.columns && a.foreignKeys == b.foreignKeys
    }
}
