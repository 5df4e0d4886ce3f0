import Chronology
import ComplianceTesting
import Crypto
import Foundation
import Gdpdu
import Testing

/// `integrity.xml`: every member with rows, bytes and SHA-256, the chain segment, the checkpoint
/// and the public key, values escaped; its detached signature verifies with the openssl command
/// line an auditor has, and not after one changed byte.
@Suite struct IntegrityManifestTests {
    static let key = try! Ed25519PrivateKey(seed: Array(repeating: 3, count: 32))

    static var manifest: IntegrityManifest {
        IntegrityManifest(exportID: "0b5e…&<\"x\">", profile: "gobd", createdAt: Timestamp(year: 2026, month: 12, day: 2, hour: 3)!,
                          generator: "immoflow-compliance 1.0", organizationID: "7f3c2a9e-0000-4000-8000-000000000001", country: "DE",
                          from: CalendarDate(year: 2025, month: 1, day: 1)!, to: CalendarDate(year: 2025, month: 12, day: 31)!,
                          members: [.init(name: "index.xml", rows: nil, size: 2048, sha256: Array(repeating: 0xab, count: 32)),
                                    .init(name: "audit_logs.csv", rows: 2_000_000, size: 512_000_000, sha256: Array(repeating: 0x01, count: 32))],
                          chain: .init(firstSeq: 101, lastSeq: 2_000_100, previousHash: Array(repeating: 0x11, count: 32), headHash: Array(repeating: 0x22, count: 32)),
                          checkpoint: (Array("audit-checkpoint-v1\n".utf8), "audit/checkpoints/x.txt", "v1"), publicKey: key.publicKey)
    }

    @Test("members, chain segment, checkpoint and public key, escaped, in a fixed order")
    func content() throws {
        let xml = Self.manifest.xml
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Integrity format=\"immoflow-integrity-v1\">\n"))
        #expect(xml.contains(#"<Export id="0b5e…&amp;&lt;&quot;x&quot;&gt;" profile="gobd" createdAt="2026-12-02T03:00:00.000000Z""#))
        #expect(xml.contains(#"<File name="audit_logs.csv" rows="2000000" bytes="512000000" sha256="\#(String(repeating: "01", count: 32))"/>"#))
        #expect(xml.contains(#"<File name="index.xml" bytes="2048""#))
        #expect(xml.contains(#"<AuditChain encoding="audit-v1" firstSeq="101" lastSeq="2000100" previousHash="\#(String(repeating: "11", count: 32))""#))
        #expect(xml.contains(#"<Checkpoint storageKey="audit/checkpoints/x.txt" versionId="v1">\#(Base64.encode(Array("audit-checkpoint-v1\n".utf8)))</Checkpoint>"#))
        #expect(xml.contains("<PublicKey keyId=\"\(Self.key.publicKey.keyID)\">\n-----BEGIN PUBLIC KEY-----\n"))
        #expect(Self.manifest.xml == xml)
    }

    @Test("read back, it renders the same document; a missing attribute, a short hash, another format are refused")
    func readBack() throws {
        let xml = Self.manifest.xml
        #expect(try IntegrityManifest.read(Array(xml.utf8)).get().xml == xml)
        for (replace, with) in [(" profile=\"gobd\"", ""), ("sha256=\"ab", "sha256=\""), ("immoflow-integrity-v1", "other-v1"),
                                ("rows=\"2000000\"", "rows=\"-1\""), ("<Period from=\"2025-01-01\"", "<Period from=\"01.01.2025\"")] {
            #expect(xml.contains(replace))
            #expect(throws: IntegrityManifest.ReadError.self) { try IntegrityManifest.read(Array(xml.replacingOccurrences(of: replace, with: with).utf8)).get() }
        }
    }

    @Test("the detached signature verifies with openssl pkeyutl, and fails for a changed byte")
    func signature() throws {
        let xml = Self.manifest.xml
        let signature = try IntegrityManifest.signature(of: xml, by: Self.key)
        #expect(signature.last == 0x0A)
        let directory = NSTemporaryDirectory() + "integrity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.key.publicKey.pem.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        try Data(Base64.decode(String(decoding: signature.dropLast(), as: UTF8.self))!).write(to: URL(fileURLWithPath: directory + "/sig"))
        func verify(_ text: String) throws -> Int32 {
            try text.write(toFile: directory + "/integrity.xml", atomically: true, encoding: .utf8)
            return try ProcessRunner.run(["/usr/bin/openssl", "pkeyutl", "-verify", "-pubin", "-inkey", directory + "/key.pem", "-rawin",
                                          "-in", directory + "/integrity.xml", "-sigfile", directory + "/sig"]).status
        }
        #expect(try verify(xml) == 0)
        #expect(try verify(xml.replacingOccurrences(of: "rows=\"2000000\"", with: "rows=\"1999999\"")) != 0)
    }
}
