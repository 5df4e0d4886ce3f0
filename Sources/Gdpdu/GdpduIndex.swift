import Chronology
import XML

/// `index.xml` of a package (GDPdU Beschreibungsstandard 1.5, docs/gobd-bao-export.md §3): the
/// elements in the grammar's order — order is part of the grammar — with every text escaped.
/// Extensions (our `integrity.xml`) come first, as `DataSet` requires; no `Command` is ever
/// written (validators flag them).
public struct GdpduIndex: Sendable, Equatable {
    public static let dtdFileName = "gdpdu-01-09-2004.dtd"

    public struct Extension: Sendable, Equatable {
        public var name: String
        public var url: String

        public init(name: String, url: String) {
            self.name = name
            self.url = url
        }
    }

    public var version = "1.0"
    public var supplierName: String
    public var supplierLocation: String
    public var supplierComment: String
    public var mediaName: String
    public var tables: [GdpduTable]
    public var extensions: [Extension]

    public init(supplierName: String, supplierLocation: String, supplierComment: String, mediaName: String, tables: [GdpduTable],
                extensions: [Extension] = []) {
        self.supplierName = supplierName
        self.supplierLocation = supplierLocation
        self.supplierComment = supplierComment
        self.mediaName = mediaName
        self.tables = tables
        self.extensions = extensions
    }

    /// The document, UTF-8, LF line ends, two-space indentation.
    public var xml: String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE DataSet SYSTEM \"\(Self.dtdFileName)\">\n<DataSet>\n"
        for e in extensions {
            x += "  <Extension>\n" + Self.element("Name", e.name, 4) + Self.element("URL", e.url, 4) + "  </Extension>\n"
        }
        x += Self.element("Version", version, 2)
        x += "  <DataSupplier>\n" + Self.element("Name", supplierName, 4) + Self.element("Location", supplierLocation, 4)
            + Self.element("Comment", supplierComment, 4) + "  </DataSupplier>\n"
        x += "  <Media>\n" + Self.element("Name", mediaName, 4)
        for t in tables { x += Self.table(t) }
        x += "  </Media>\n</DataSet>\n"
        return x
    }

    static func table(_ t: GdpduTable) -> String {
        var x = "    <Table>\n" + element("URL", t.url, 6) + element("Name", t.name, 6) + element("Description", t.description, 6)
        if let v = t.validity {
            x += "      <Validity>\n        <Range>\n" + element("From", date(v.from), 10) + element("To", date(v.to), 10)
                + "        </Range>\n" + element("Format", "DD.MM.YYYY", 8) + "      </Validity>\n"
        }
        x += "      <UTF8/>\n" + element("DecimalSymbol", ",", 6) + element("DigitGroupingSymbol", ".", 6)
        x += "      <Range>\n" + element("From", "2", 8) + "      </Range>\n"
        x += "      <VariableLength>\n" + element("ColumnDelimiter", ";", 8)
        // Real character references for CR LF (not a double-escaped "&amp;#13;": §7).
        x += "        <RecordDelimiter>&#13;&#10;</RecordDelimiter>\n"
        x += element("TextEncapsulator", "\"", 8)
        for c in t.primaryKey { x += column(c, "VariablePrimaryKey") }
        for c in t.columns { x += column(c, "VariableColumn") }
        for fk in t.foreignKeys {
            x += "        <ForeignKey>\n" + fk.columns.map { element("Name", $0, 10) }.joined() + element("References", fk.references, 10)
                + "        </ForeignKey>\n"
        }
        return x + "      </VariableLength>\n    </Table>\n"
    }

    static func column(_ c: GdpduColumn, _ tag: String) -> String {
        var x = "        <\(tag)>\n" + element("Name", c.name, 10)
        if let d = c.description { x += element("Description", d, 10) }
        switch c.kind {
        case .numeric(let accuracy):
            x += accuracy == 0 ? "          <Numeric/>\n" : "          <Numeric>\n" + element("Accuracy", String(accuracy), 12) + "          </Numeric>\n"
        case .alphaNumeric(let maxLength):
            // MaxLength directly after AlphaNumeric, before any Map (§3.2).
            x += "          <AlphaNumeric/>\n" + element("MaxLength", String(max(1, maxLength)), 10)
        case .date:
            x += "          <Date>\n" + element("Format", "DD.MM.YYYY", 12) + "          </Date>\n"
        case .time:
            x += "          <AlphaNumeric/>\n" + element("MaxLength", "8", 10)
                + "          <Map>\n" + element("From", "HH:MM:SS", 12) + element("To", "HH:MM:SS", 12) + "          </Map>\n"
        }
        return x + "        </\(tag)>\n"
    }

    static func element(_ name: String, _ text: String, _ indent: Int) -> String {
        String(repeating: " ", count: indent) + "<\(name)>\(escape(text))</\(name)>\n"
    }

    static func date(_ d: CalendarDate) -> String {
        var out: [UInt8] = []
        GdpduField.date(d, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func escape(_ text: String) -> String { XMLText.escape(text) }
}
