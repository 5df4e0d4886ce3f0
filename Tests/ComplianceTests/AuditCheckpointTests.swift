import Chronology
import Compliance
import Crypto
import Testing

/// The signed text of audit-checkpoint-v1, its object, and reading it back (only the canonical
/// rendering is accepted).
@Suite struct AuditCheckpointTests {
    static let key = try! Ed25519PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
    static let checkpoint = AuditCheckpoint(organizationID: "7f3c2a9e-0000-4000-8000-000000000001", seq: 1234,
                                            hash: Hex.decode("5de05ca9acc7e6d00997e023abeba2f608db1f1f8bbb58dc95feac68416ebde7")!,
                                            createdAt: Timestamp(year: 2026, month: 12, day: 2, hour: 15, minute: 0, second: 0, microsecond: 42)!,
                                            keyID: key.publicKey.keyID)

    @Test("the signed text: fixed lines, LF, six fractional digits, lowercase hex")
    func text() {
        #expect(Self.checkpoint.text == """
            audit-checkpoint-v1
            organization 7f3c2a9e-0000-4000-8000-000000000001
            seq 1234
            hash 5de05ca9acc7e6d00997e023abeba2f608db1f1f8bbb58dc95feac68416ebde7
            created_at 2026-12-02T15:00:00.000042Z
            encoding audit-v1
            key_id \(Self.key.publicKey.keyID)

            """)
    }

    @Test("the object reads back to the checkpoint and its signature, which verifies; another key or a changed line does not")
    func roundTrip() throws {
        let (object, signature) = try Self.checkpoint.signedObject(with: Self.key)
        let parsed = try AuditCheckpoint.parse(object: object).get()
        #expect(parsed.checkpoint == Self.checkpoint && parsed.signature == signature)
        #expect(parsed.checkpoint.isSigned(signature, by: Self.key.publicKey))
        #expect(!parsed.checkpoint.isSigned(signature, by: try Ed25519PrivateKey.generate().publicKey))
        var changed = parsed.checkpoint
        changed.seq = 1235
        #expect(!changed.isSigned(signature, by: Self.key.publicKey))
    }

    @Test("refused: CRLF, upper-case hex, a missing or extra line, a short signature, not UTF-8", arguments: [
        "crlf", "upper", "missing", "extra", "short", "binary",
    ])
    func refused(_ variant: String) throws {
        let (object, _) = try Self.checkpoint.signedObject(with: Self.key)
        let text = String(decoding: object, as: UTF8.self)
        let bad: [UInt8]
        switch variant {
        case "crlf": bad = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        case "upper": bad = Array(text.replacingOccurrences(of: "5de05ca9", with: "5DE05CA9").utf8)
        case "missing": bad = Array(text.replacingOccurrences(of: "encoding audit-v1\n", with: "").utf8)
        case "extra": bad = object + Array("note x\n".utf8)
        case "short": bad = Array((text.split(separator: "\n").dropLast().joined(separator: "\n") + "\nsignature AAAA\n").utf8)
        default: bad = [0xFF, 0xFE] + object
        }
        #expect(throws: CheckpointFormatError.self) { try AuditCheckpoint.parse(object: bad).get() }
    }
}
