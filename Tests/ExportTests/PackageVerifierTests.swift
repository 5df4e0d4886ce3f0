import Archive
import Chronology
import Compliance
import Crypto
import Export
import Foundation
import Gdpdu
import Testing

/// verify-package against changed packages (docs/gobd-bao-export.md §6 items 3, 5, 9–11): a
/// flipped byte in each member, a removed row, reordered audit rows, a wrong signature, a
/// package re-signed by someone else, files added or missing, a damaged gzip stream — each one
/// found and named.
@Suite(.serialized) struct PackageVerifierTests {
    typealias Members = [(name: String, bytes: [UInt8])]

    static func original() async throws -> Members {
        try PackageFixture.members(try await PackageBuilderTests.september().bytes)
    }

    static func findings(_ members: Members, pinned: Ed25519PublicKey? = PackageFixture.key.publicKey) throws -> [String] {
        let report = try PackageFixture.verify(try PackageFixture.pack(members), pinned: pinned)
        #expect(report.findingCount == 0 || !report.valid)
        return report.findings.map(\.description)
    }

    static func changed(_ members: Members, _ name: String, _ change: (inout [UInt8]) -> Void) -> Members {
        members.map { m in
            guard m.name == name else { return m }
            var bytes = m.bytes
            change(&bytes)
            return (m.name, bytes)
        }
    }

    @Test("repacked unchanged, the package is valid (the repacking is not what the other tests find)")
    func unchanged() async throws {
        #expect(try Self.findings(try await Self.original()).isEmpty)
    }

    @Test("a flipped byte in each member is found and named", arguments: ["index.xml", "gdpdu-01-09-2004.dtd", "organizations.csv", "tenants.csv",
                                                                         "monthly_invoices.csv", "ledger_entries.csv", "audit_logs.csv", "backup_audit.csv",
                                                                         "integrity.xml", "integrity.xml.sig"])
    func flippedByte(member: String) async throws {
        let members = try await Self.original()
        let found = try Self.findings(Self.changed(members, member) { bytes in
            // A letter in the middle of the member's last line with letters: changed, not broken.
            let at = bytes.lastIndex { ($0 >= 0x61 && $0 <= 0x7A) } ?? bytes.count / 2
            bytes[at] = bytes[at] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        })
        #expect(found.contains { $0.hasPrefix(member) }, "\(found.prefix(5))")
    }

    @Test("a removed audit row: a gap in seq, the row count and the SHA-256 differ")
    func removedRow() async throws {
        let found = try Self.findings(Self.changed(try await Self.original(), "audit_logs.csv") { bytes in
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            lines.remove(at: 10)
            bytes = Array(lines.joined(separator: [0x0A]))
        })
        #expect(found.contains { $0.contains("gap") || $0.contains("expected") }, "\(found.prefix(5))")
        #expect(found.contains { $0.contains("rows, integrity.xml says 180") })
        #expect(found.contains { $0.contains("audit_logs.csv: SHA-256") })
    }

    @Test("two audit rows swapped: keys out of order and the chain broken at them")
    func reordered() async throws {
        let found = try Self.findings(Self.changed(try await Self.original(), "audit_logs.csv") { bytes in
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            lines.swapAt(5, 6)
            bytes = Array(lines.joined(separator: [0x0A]))
        })
        #expect(found.contains { $0.contains("not in key order") }, "\(found.prefix(5))")
        #expect(found.contains { $0.contains("audit chain") }, "\(found.prefix(5))")
    }

    @Test("a signature by another key does not verify; a package re-signed whole by someone else passes only without the issuer's key")
    func resigned() async throws {
        let members = try await Self.original()
        let mallory = try Ed25519PrivateKey(seed: Array(repeating: 9, count: 32))
        let manifest = String(decoding: members.first { $0.name == "integrity.xml" }!.bytes, as: UTF8.self)
        let wrongSignature = Self.changed(members, "integrity.xml.sig") { $0 = try! IntegrityManifest.signature(of: manifest, by: mallory) }
        #expect(try Self.findings(wrongSignature).contains { $0.contains("the signature does not verify") })

        // Mallory edits an audit entry and redoes everything a key can redo: the chain's hashes,
        // the manifest's members and chain, its key, its checkpoint and signature.
        var m = try IntegrityManifest.read(Array(manifest.utf8)).get()
        var audit = String(decoding: members.first { $0.name == "audit_logs.csv" }!.bytes, as: UTF8.self)
        audit = audit.replacingOccurrences(of: "\"user:42\"", with: "\"user:43\"")
        let forged = try Self.rechain(audit, previousHash: m.chain!.previousHash)
        var forgedMembers = Self.changed(members, "audit_logs.csv") { $0 = Array(forged.csv.utf8) }
        m.members = m.members.map { f in
            guard f.name == "audit_logs.csv" else { return f }
            return .init(name: f.name, rows: f.rows, size: Int64(forged.csv.utf8.count), sha256: SHA256.hash(Array(forged.csv.utf8)))
        }
        m.chain!.headHash = forged.head
        let checkpoint = AuditCheckpoint(organizationID: m.organizationID, seq: m.chain!.lastSeq, hash: forged.head, createdAt: m.createdAt,
                                         keyID: mallory.publicKey.keyID)
        m.checkpoint = (try checkpoint.signedObject(with: mallory).object, nil, nil)
        m.publicKey = mallory.publicKey
        forgedMembers = Self.changed(forgedMembers, "integrity.xml") { $0 = Array(m.xml.utf8) }
        forgedMembers = Self.changed(forgedMembers, "integrity.xml.sig") { $0 = try! IntegrityManifest.signature(of: m.xml, by: mallory) }
        #expect(try Self.findings(forgedMembers, pinned: nil).isEmpty, "self-consistent: only the issuer's key tells")
        let pinned = try Self.findings(forgedMembers)
        #expect(pinned.contains { $0.contains("not the given key \(PackageFixture.key.publicKey.keyID)") }, "\(pinned)")
        #expect(pinned.contains { $0.contains("the checkpoint's signature does not verify") }, "\(pinned)")
    }

    /// audit_logs.csv with every hash recomputed from `previousHash` on (what a forger would do).
    static func rechain(_ csv: String, previousHash: [UInt8]) throws -> (csv: String, head: [UInt8]) {
        var lines = csv.components(separatedBy: "\r\n")
        var previous = previousHash
        for i in 1..<lines.count where !lines[i].isEmpty {
            var reader = GdpduRecordReader()
            var fields: [String] = []
            reader.feed(Array((lines[i] + "\r\n").utf8), record: { f, _ in fields = f.map { String(decoding: $0.bytes, as: UTF8.self) } }, finding: { _, _ in })
            var p = ChainPreimage(prefix: AuditChain.version, previousHash: previous)
            for value in [fields[0], fields[1], fields[4], fields[5], fields[6], fields[7], fields[8], fields[9]] { p.append(value) }
            let hash = SHA256.hash(p.bytes)
            var out: [UInt8] = []
            for (k, v) in fields.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ";")) }
                switch k {
                case 1: out += Array(v.utf8)
                case 2: out += Array(v.utf8)
                case 10: GdpduField.text(Array(Hex.encode(previous).utf8), to: &out)
                case 11: GdpduField.text(Array(Hex.encode(hash).utf8), to: &out)
                default: GdpduField.text(Array(v.utf8), to: &out)
                }
            }
            lines[i] = String(decoding: out, as: UTF8.self)
            previous = hash
        }
        return (lines.joined(separator: "\r\n"), previous)
    }

    @Test("a file added, a file missing, a data file index.xml does not declare: each named")
    func container() async throws {
        let members = try await Self.original()
        #expect(try Self.findings(members + [("notes.txt", Array("x".utf8))]).contains { $0.hasPrefix("notes.txt") })
        #expect(try Self.findings(members.filter { $0.name != "backup_audit.csv" }).contains { $0.contains("backup_audit.csv is missing") })
        #expect(try Self.findings(members.filter { $0.name != "integrity.xml.sig" }).contains { $0.contains("integrity.xml.sig is missing") })
        #expect(try Self.findings(members + [("extra.csv", Array("a\r\n".utf8))]).contains { $0.hasPrefix("extra.csv") })
    }

    @Test("a damaged gzip stream and a truncated package are findings, not crashes")
    func damaged() async throws {
        var bytes = try await PackageBuilderTests.september().bytes
        let truncated = Array(bytes.prefix(bytes.count / 2))
        #expect(try PackageFixture.verify(truncated).findings.contains { $0.message.contains("truncated") || $0.message.contains("ends") })
        bytes[bytes.count / 3] ^= 0x55
        #expect(!(try PackageFixture.verify(bytes)).valid)
        #expect(!(try PackageFixture.verify(Array("not a package".utf8))).valid)
    }

    /// §6 item 9's negative cases and item 12's period filter, made in the demo organization's
    /// package (which has bookings): (member, what to replace — the first occurrence —, with what,
    /// a finding that must name it).
    static let negatives: [(String, String, String, String)] = [
        ("ledger_entries.csv", ";(-?[0-9]+),([0-9][0-9]);\"", ";$1.$2;\"", "not a number with 2 decimals after a comma"),
        ("ledger_entries.csv", ";01.", ";2026-", "is not a date DD.MM.YYYY"),
        ("index.xml", "      <UTF8/>\n      <DecimalSymbol>,</DecimalSymbol>\n", "      <DecimalSymbol>,</DecimalSymbol>\n      <UTF8/>\n", "does not match"),
        ("index.xml", "      <DigitGroupingSymbol>.</DigitGroupingSymbol>\n", "", "does not match"),
        ("index.xml", "<URL>tenants.csv</URL>", "<URL>file:///tmp/tenants.csv</URL>", "is not relative"),
        ("tenants.csv", "\"Müller", "\"Zeile\nMüller", "a line break inside a value"),
    ]

    @Test("§6 item 9: 1000.00 for 1000,00, an ISO date, UTF8 after DecimalSymbol, no DigitGroupingSymbol, an absolute URL, a line break in a value — each found; §6 item 12: another organization's row, a booking outside the period")
    func negativeCases() async throws {
        let fixture = try await PackageBuilderTests.fixture.value
        let today = Timestamp(Date()).utcDate
        let members = try PackageFixture.members(try await fixture.build(fixture.request(fixture.organizations[0].id, from: "2026-08-01", to: today.iso)).bytes)
        #expect(try Self.findings(members).isEmpty)
        func replaced(_ member: String, _ old: String, _ new: String) -> Members {
            Self.changed(members, member) { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                let pattern = old.hasPrefix(";(") ? old : NSRegularExpression.escapedPattern(for: old)
                let expression = try! NSRegularExpression(pattern: pattern)
                guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
                    Issue.record("\(old) not in \(member)")
                    return
                }
                let template = old.hasPrefix(";(") ? new : NSRegularExpression.escapedTemplate(for: new)
                let replacement = expression.replacementString(for: match, in: text, offset: 0, template: template)
                bytes = Array(text.replacingCharacters(in: Range(match.range, in: text)!, with: replacement).utf8)
            }
        }
        for (member, old, new, finding) in Self.negatives where !finding.isEmpty {
            let found = try Self.findings(replaced(member, old, new))
            #expect(found.contains { $0.contains(finding) }, "\(member): \(old) → \(new): \(found.prefix(5))")
        }
        // Item 12: a tenant row of the other organization; a booking dated before the period.
        let other = fixture.organizations[1].id
        let tenantsText = String(decoding: members.first { $0.name == "tenants.csv" }!.bytes, as: UTF8.self)
        let firstTenantOrg = tenantsText.components(separatedBy: "\r\n")[1].components(separatedBy: ";")[1]
        var found = try Self.findings(replaced("tenants.csv", ";" + firstTenantOrg + ";", ";\"\(other)\";"))
        #expect(found.contains { $0.contains("rows of organization \(other)") }, "\(found.prefix(5))")
        let ledgerText = String(decoding: members.first { $0.name == "ledger_entries.csv" }!.bytes, as: UTF8.self)
        let bookingDate = ledgerText.components(separatedBy: "\r\n")[1].components(separatedBy: ";")[4]
        found = try Self.findings(replaced("ledger_entries.csv", ";" + bookingDate + ";", ";15.07.2026;"))
        #expect(found.contains { $0.contains("outside the period") }, "\(found.prefix(5))")
    }
}
