import Archive
import Chronology
import ComplianceTesting
import Crypto
import Export
import Foundation
import Gdpdu
import Postgres
import Testing

/// A package built from a real database (docs/gobd-bao-export.md §6, the matrix): read by GNU
/// tar and gzip, index.xml valid for Xerces against the shipped DTD, every data file by its
/// declaration, the verifier satisfied, the same request giving the same bytes — and every
/// change to it found.
@Suite(.serialized) struct PackageBuilderTests {
    static let fixture = Task { try await PackageFixture.make("export-package") }

    /// A period cutting the backdated chain in the middle: September 2026 (seq 70 to 249).
    static func september() async throws -> (bytes: [UInt8], package: BuiltPackage) {
        let fixture = try await fixture.value
        return try await fixture.build(fixture.request(PackageFixture.anker, from: "2026-09-01", to: "2026-09-30"))
    }

    @Test("built twice, byte-identical; GNU tar and gzip read it, listing exactly the package's files; Xerces validates index.xml against the shipped DTD; verify-package finds nothing; the segment is anchored to the entry before the period and its checkpoint signs the head")
    func package() async throws {
        let first = try await Self.september()
        let second = try await Self.september()
        #expect(first.bytes == second.bytes, "the same export id and data must give the same bytes")
        #expect(first.package.sha256 == SHA256.hash(first.bytes) && first.package.size == Int64(first.bytes.count))

        let directory = NSTemporaryDirectory() + "export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/x", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(first.bytes).write(to: URL(fileURLWithPath: directory + "/p.tar.gz"))
        let (test, list, extract) = try await Blocking.run {
            (try ProcessRunner.run(["/bin/gzip", "-t", directory + "/p.tar.gz"]), try ProcessRunner.run(["/bin/tar", "-tzf", directory + "/p.tar.gz"]),
             try ProcessRunner.run(["/bin/tar", "-xzf", directory + "/p.tar.gz", "-C", directory + "/x"]))
        }
        #expect(test.status == 0 && extract.status == 0, "\(test.stderr) \(extract.stderr)")
        #expect(list.stdout.split(separator: "\n") == ["index.xml", "gdpdu-01-09-2004.dtd", "organizations.csv", "tenants.csv", "monthly_invoices.csv",
                                                       "ledger_entries.csv", "audit_logs.csv", "backup_audit.csv", "integrity.xml", "integrity.xml.sig"])
        let index = try String(contentsOfFile: directory + "/x/index.xml", encoding: .utf8)
        let verdicts = try await Blocking.run { try Xerces.validate(dtd: directory + "/x/gdpdu-01-09-2004.dtd", documents: [index]) }
        #expect(verdicts == ["valid"], "\(verdicts)")
        #expect(index.contains("<Validity>\n        <Range>\n          <From>01.09.2026</From>\n          <To>30.09.2026</To>"))

        let report = try PackageFixture.verify(first.bytes, pinned: PackageFixture.key.publicKey)
        #expect(report.valid, "\(report.findings.prefix(5))")
        // Entries every 4 h (+37 µs) from 20 August 08:00: seq 70 is 1 September 00:00:00.002590, seq 250 1 October 00:00:00.009250.
        let chain = try #require(first.package.chain)
        #expect(chain.firstSeq == 70 && chain.lastSeq == 249 && report.chainEntries == 180)
        let fixture = try await Self.fixture.value
        let before = try await PackageFixture.hash(fixture, seq: 69), head = try await PackageFixture.hash(fixture, seq: 249)
        #expect(chain.previousHash == before && chain.headHash == head)
        #expect(report.keyPinned == true && first.package.rows["audit_logs"] == 180 && first.package.rows["organizations"] == 1)
        // The hashed payload in the CSV exactly: its quotes doubled, nothing else touched.
        let audit = try String(contentsOfFile: directory + "/x/audit_logs.csv", encoding: .utf8)
        #expect(audit.contains(#""{""amount"":""70.00"",""text"":""Miete; Top 3 – Größe \""A\"" €""}""#))
    }

    @Test("the demo organization's period: invoices, bookings and the special characters round-trip (umlauts, €, –, quotes, semicolons; a line break in free text becomes a space)")
    func roundTrip() async throws {
        let fixture = try await Self.fixture.value
        let today = Timestamp(Date()).utcDate
        let built = try await fixture.build(fixture.request(fixture.organizations[0].id, from: "2026-08-01", to: today.iso))
        let report = try PackageFixture.verify(built.bytes)
        #expect(report.valid, "\(report.findings.prefix(5))")
        #expect(report.keyPinned == nil)
        let members = try PackageFixture.members(built.bytes)
        func member(_ name: String) -> String { String(decoding: members.first { $0.name == name }?.bytes ?? [], as: UTF8.self) }
        #expect(member("tenants.csv").contains("\"Müller & Söhne; \"\"Haus A\"\" – 5 € <b>\""))
        #expect(member("ledger_entries.csv").contains("\"Müller & Söhne; \"\"Haus A\"\" – 5 € <b>  zweite Zeile\""))
        var reader = GdpduRecordReader()
        var names: [String] = []
        reader.feed(Array(member("tenants.csv").utf8), record: { fields, _ in names.append(String(decoding: fields[2].bytes, as: UTF8.self)) }, finding: { _, _ in })
        #expect(names.contains(PackageFixture.tricky))
        // MaxLength counts characters: the tricky name has 36 characters and 41 bytes.
        #expect(member("index.xml").contains("<Name>name</Name>\n          <Description>Name des Mieters</Description>\n          <AlphaNumeric/>\n          <MaxLength>"))
        #expect(built.package.rows["ledger_entries"] ?? 0 > 0 && built.package.rows["monthly_invoices"] ?? 0 > 0 && built.package.rows["audit_logs"] ?? 0 > 0)
    }

    @Test("an Austrian organization: profile bao from its country, and the lock its records need — 22 years (real estate, §18 Abs. 10 UStG 1994) from the end of the period's year")
    func austrian() async throws {
        let fixture = try await Self.fixture.value
        let austrian = try #require(fixture.organizations.first { $0.country == "AT" })
        let built = try await fixture.build(fixture.request(austrian.id, from: "2026-09-01", to: "2026-09-30"))
        #expect(built.package.profile == .bao && built.package.country == "AT")
        #expect(built.package.retainUntil == Timestamp(year: 2049, month: 1, day: 1)!)
        let manifest = try IntegrityManifest.read(try #require(try PackageFixture.members(built.bytes).first { $0.name == "integrity.xml" }).bytes).get()
        #expect(manifest.profile == "bao" && manifest.country == "AT")
        let german = try await fixture.build(fixture.request(PackageFixture.anker, from: "2026-09-01", to: "2026-09-30"))
        #expect(german.package.profile == .gobd && german.package.retainUntil == Timestamp(year: 2037, month: 1, day: 1)!)
    }
}
