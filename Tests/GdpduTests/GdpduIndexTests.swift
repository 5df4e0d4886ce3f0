import Chronology
import Foundation
import Gdpdu
import Testing

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

    /// Runs the validator on `xml`; (exit status, stderr).
    static func validate(_ xml: String) throws -> (Int32, String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/java") else {
            throw ValidationUnavailable()
        }
        let directory = NSTemporaryDirectory() + "gdpdu-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try xml.write(toFile: directory + "/index.xml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/java")
        process.arguments = [root + "/tools/xml/ValidateGdpdu.java", directory + "/index.xml", dtd]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    struct ValidationUnavailable: Error, CustomStringConvertible {
        var description: String { "java not found at /usr/bin/java: tools/test.sh installs openjdk-17-jre-headless for the Xerces validation" }
    }

    @Test("the generated index.xml is valid against the shipped DTD (Xerces); texts escaped; CR LF as character references")
    func valid() throws {
        let xml = Self.sample.xml
        let (status, errors) = try Self.validate(xml)
        #expect(status == 0, "\(errors)\n\(xml)")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE DataSet SYSTEM \"gdpdu-01-09-2004.dtd\">\n<DataSet>\n  <Extension>"))
        #expect(xml.contains("<Description>Mandanten &amp; Hausverwaltungen &lt;Stammdaten&gt;</Description>"))
        #expect(xml.contains("<RecordDelimiter>&#13;&#10;</RecordDelimiter>") && !xml.contains("&amp;#13;"))
        #expect(xml.contains("<From>01.01.2024</From>") && xml.contains("<Accuracy>2</Accuracy>") && !xml.contains("<Accuracy>0</Accuracy>"))
        #expect(!xml.contains("<Command>"))
    }

    @Test("Xerces rejects what the grammar forbids (§6 item 9): UTF8 after DecimalSymbol, a missing DigitGroupingSymbol, MaxLength after a Map", arguments: [
        ("      <UTF8/>\n      <DecimalSymbol>,</DecimalSymbol>\n", "      <DecimalSymbol>,</DecimalSymbol>\n      <UTF8/>\n"),
        ("      <DigitGroupingSymbol>.</DigitGroupingSymbol>\n", ""),
        ("          <AlphaNumeric/>\n          <MaxLength>8</MaxLength>\n          <Map>\n            <From>HH:MM:SS</From>\n            <To>HH:MM:SS</To>\n          </Map>\n",
         "          <AlphaNumeric/>\n          <Map>\n            <From>HH:MM:SS</From>\n            <To>HH:MM:SS</To>\n          </Map>\n          <MaxLength>8</MaxLength>\n"),
    ])
    func invalid(_ replace: String, _ with: String) throws {
        let xml = Self.sample.xml
        #expect(xml.contains(replace))
        let (status, errors) = try Self.validate(xml.replacingOccurrences(of: replace, with: with))
        #expect(status == 2 && errors.contains("must match"), "\(status): \(errors)")
    }

    @Test("the validator reads only the shipped DTD: a DOCTYPE pointing elsewhere is refused")
    func otherDTD() throws {
        let (status, errors) = try Self.validate(Self.sample.xml.replacingOccurrences(of: "SYSTEM \"gdpdu-01-09-2004.dtd\"", with: "SYSTEM \"http://example.invalid/x.dtd\""))
        #expect(status == 2 && errors.contains("refusing external entity"), "\(errors)")
    }
}
