import Chronology
import ComplianceTesting
import Foundation
import Gdpdu
import Testing
import XML

/// `index.xml` validated by the JDK's Xerces against the DTD the package ships
/// (docs/gobd-bao-export.md §5: libxml2 rejects every document against the standard's DTD), and
/// the order errors the grammar forbids caught by it. `java` must be installed (the test command
/// installs openjdk-17-jre-headless); without it the test fails saying so.
@Suite struct GdpduIndexTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let dtd = root + "/share/gdpdu/" + GdpduIndex.dtdFileName

    static var sample: GdpduIndex {
        let period = (CalendarDate(year: 2024, month: 1, day: 1)!, CalendarDate(year: 2024, month: 12, day: 31)!)
        let organizations = GdpduTable(url: "organizations.csv", name: "organizations", description: "Mandanten & Hausverwaltungen <Stammdaten>",
                                       primaryKey: [GdpduColumn("id", .alphaNumeric(maxLength: 36))],
                                       columns: [GdpduColumn("name", .alphaNumeric(maxLength: 80), description: "Firmenname – \"Größe\""),
                                                 GdpduColumn("country", .alphaNumeric(maxLength: 2))])
        let ledger = GdpduTable(url: "ledger_entries.csv", name: "ledger_entries", description: "Buchungen", validity: period,
                                primaryKey: [GdpduColumn("id", .alphaNumeric(maxLength: 36))],
                                columns: [GdpduColumn("organization_id", .alphaNumeric(maxLength: 36)), GdpduColumn("amount", .numeric(accuracy: 2)),
                                          GdpduColumn("line", .numeric(accuracy: 0)), GdpduColumn("booked_on", .date),
                                          GdpduColumn("created_date", .date), GdpduColumn("created_time", .time, description: "UTC"),
                                          GdpduColumn("created_utc", .alphaNumeric(maxLength: 27))],
                                foreignKeys: [.init(["organization_id"], references: "organizations")])
        return GdpduIndex(supplierName: "ImmoflowMe GmbH", supplierLocation: "Berlin", supplierComment: "GoBD-Export 2024",
                          mediaName: "Datenträger 1", tables: [organizations, ledger], extensions: [.init(name: "integrity", url: "integrity.xml")])
    }

    /// §6 item 9's order errors, each as (what to replace, with what).
    static let orderErrors = [
        ("      <UTF8/>\n      <DecimalSymbol>,</DecimalSymbol>\n", "      <DecimalSymbol>,</DecimalSymbol>\n      <UTF8/>\n"),
        ("      <DigitGroupingSymbol>.</DigitGroupingSymbol>\n", ""),
        ("          <AlphaNumeric/>\n          <MaxLength>8</MaxLength>\n          <Map>\n            <From>HH:MM:SS</From>\n            <To>HH:MM:SS</To>\n          </Map>\n",
         "          <AlphaNumeric/>\n          <Map>\n            <From>HH:MM:SS</From>\n            <To>HH:MM:SS</To>\n          </Map>\n          <MaxLength>8</MaxLength>\n"),
    ]

    @Test("Xerces (one JVM for all): the generated index.xml is valid; UTF8 after DecimalSymbol, a missing DigitGroupingSymbol, MaxLength after a Map are not; a DOCTYPE pointing elsewhere is refused")
    func validation() async throws {
        let xml = Self.sample.xml
        for (replace, _) in Self.orderErrors { #expect(xml.contains(replace)) }
        let documents = [xml] + Self.orderErrors.map { xml.replacingOccurrences(of: $0.0, with: $0.1) }
            + [xml.replacingOccurrences(of: "SYSTEM \"gdpdu-01-09-2004.dtd\"", with: "SYSTEM \"http://example.invalid/x.dtd\"")]
        // The JVM runs on a thread of its own (Blocking): a test blocking one of the cooperative
        // pool's two threads for seconds starved the HTTP server tests beside it.
        let verdicts = try await Blocking.run { try Xerces.validate(dtd: Self.dtd, documents: documents) }
        #expect(verdicts[0] == "valid", "\(verdicts[0])\n\(xml)")
        for verdict in verdicts[1...3] { #expect(verdict.hasPrefix("invalid") && verdict.contains("must match"), "\(verdict)") }
        #expect(verdicts[4].hasPrefix("invalid") && verdicts[4].contains("refusing external entity"), "\(verdicts[4])")
        // The built-in grammar (verify-package, no Java) gives the same verdicts.
        for (document, verdict) in zip(documents, verdicts) {
            let findings = GdpduGrammar.validate(Array(document.utf8)).findings
            #expect(findings.isEmpty == (verdict == "valid"), "Xerces: \(verdict); built in: \(findings)")
        }
    }

    @Test("the shipped DTD is the bundled one and declares exactly the built-in grammar; a changed content model, a missing or an extra element is a difference")
    func grammar() throws {
        let shipped = Array(try String(contentsOfFile: Self.dtd, encoding: .utf8).utf8)
        #expect(GdpduGrammar.difference(shipped) == nil)
        #expect(Array(GdpduGrammar.bundledDTD.utf8) == shipped, "the bundled DTD and share/gdpdu differ")
        let text = String(decoding: shipped, as: UTF8.self)
        let changed = [text.replacingOccurrences(of: "(Extension*, Version,", with: "(Extension*, Version?,"),
                       text.replacingOccurrences(of: "<!ELEMENT UTF8 EMPTY>", with: ""),
                       text + "<!ELEMENT Extra EMPTY>\n",
                       text + "<!ATTLIST DataSet x CDATA #IMPLIED>\n"]
        for c in changed { #expect(GdpduGrammar.difference(Array(c.utf8)) != nil) }
    }

    @Test("index.xml reads back into the tables it was written from; conventions outside ours are findings", arguments: [
        ("<URL>ledger_entries.csv</URL>", "<URL>http://x/ledger_entries.csv</URL>", "is not relative"),
        ("<URL>ledger_entries.csv</URL>", "<URL>../ledger_entries.csv</URL>", "leaves the package"),
        ("<DecimalSymbol>,</DecimalSymbol>", "<DecimalSymbol>.</DecimalSymbol>", "DecimalSymbol is not ','"),
        ("<From>2</From>", "<From>1</From>", "Range"),
        ("<ColumnDelimiter>;</ColumnDelimiter>", "<ColumnDelimiter>,</ColumnDelimiter>", "ColumnDelimiter"),
        ("<MaxLength>80</MaxLength>\n", "", "without a MaxLength"),
        ("<References>organizations</References>", "<References>ledger_entries</References>", "not declared before"),
    ])
    func readBack(replace: String, with: String, finding: String) throws {
        let sample = Self.sample
        let document = try XMLReader.parseDocument(Array(sample.xml.utf8), allowDocumentType: true).get()
        let (read, findings) = GdpduIndex.read(document.root)
        #expect(findings.isEmpty && read.tables == sample.tables && read.extensions == sample.extensions)
        let changed = sample.xml.replacingOccurrences(of: replace, with: with)
        let bad = try XMLReader.parseDocument(Array(changed.utf8), allowDocumentType: true).get()
        let badFindings = GdpduIndex.read(bad.root).findings
        #expect(badFindings.contains { $0.contains(finding) }, "\(badFindings)")
    }

    @Test("the document: the prolog and DOCTYPE, texts escaped, CR LF as character references, no Command")
    func document() {
        let xml = Self.sample.xml
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE DataSet SYSTEM \"gdpdu-01-09-2004.dtd\">\n<DataSet>\n  <Extension>"))
        #expect(xml.contains("<Description>Mandanten &amp; Hausverwaltungen &lt;Stammdaten&gt;</Description>"))
        #expect(xml.contains("<RecordDelimiter>&#13;&#10;</RecordDelimiter>") && !xml.contains("&amp;#13;"))
        #expect(xml.contains("<From>01.01.2024</From>") && xml.contains("<Accuracy>2</Accuracy>") && !xml.contains("<Accuracy>0</Accuracy>"))
        #expect(!xml.contains("<Command>"))
    }
}
