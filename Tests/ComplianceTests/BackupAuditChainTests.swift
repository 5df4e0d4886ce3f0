import Chronology
import Compliance
import JCS
import Crypto
import Testing

@Suite struct BackupAuditChainTests {
    static let base = BackupEvent(
        seq: 1, eventID: "00000000-0000-4000-8000-000000000001", type: .backupFull, status: .succeeded,
        occurredAt: Timestamp(microsecondsSinceEpoch: 1_795_701_476_000_000),
        recordedAt: Timestamp(microsecondsSinceEpoch: 1_795_701_477_123_456))

    @Test("absent fields encode as FF FF FF FF, empty strings as 00 00 00 00")
    func nullVersusEmpty() {
        var withEmpty = Self.base
        withEmpty.stanza = ""
        let a = BackupAuditChain.preimage(of: Self.base, previousHash: AuditChain.genesis)
        let b = BackupAuditChain.preimage(of: withEmpty, previousHash: AuditChain.genesis)
        #expect(a != b)
        let prefixLength = "backup-audit-v1".utf8.count + 32
        #expect(Array(a[..<prefixLength]) == Array("backup-audit-v1".utf8) + AuditChain.genesis)
        #expect(Hex.encode(a).contains("ffffffff"))
    }

    @Test("every field changes the hash")
    func everyFieldCounts() {
        let h = BackupAuditChain.hash(of: Self.base, previousHash: AuditChain.genesis)
        var variants: [BackupEvent] = []
        var e = Self.base; e.sizeBytes = 0; variants.append(e)
        e = Self.base; e.exitCode = 0; variants.append(e)
        e = Self.base; e.details = "{\"a\":1}"; variants.append(e)
        e = Self.base; e.requestSHA256 = [UInt8](repeating: 0, count: 32); variants.append(e)
        e = Self.base; e.status = .failed; variants.append(e)
        e = Self.base; e.repo = 2; variants.append(e)
        for v in variants { #expect(BackupAuditChain.hash(of: v, previousHash: AuditChain.genesis) != h) }
    }
}

/// RFC 8785 (JCS) serialisation of the subset we produce.
@Suite struct CanonicalJSONTests {
    @Test func sortedKeysNoWhitespace() {
        let value = CanonicalJSON.object(["b": .integer(2), "a": .array([.null, .bool(true), .string("x")]), "A": .integer(-1)])
        #expect(value.text == #"{"A":-1,"a":[null,true,"x"],"b":2}"#)
    }

    @Test("keys sort by UTF-16 code units (RFC 8785 §3.2.3)")
    func utf16Order() {
        // U+20AC (€) is one code unit 0x20AC; U+1F600 is the surrogate pair D83D DE00: € sorts first
        // by UTF-16 although it is later by scalar value than nothing here; "ö" (00F6) before "€".
        let value = CanonicalJSON.object(["😀": .integer(1), "€": .integer(2), "ö": .integer(3), "z": .integer(4)])
        #expect(value.text == #"{"z":4,"ö":3,"€":2,"😀":1}"#)
    }

    @Test("only quote, backslash and control characters are escaped")
    func escaping() {
        let value = CanonicalJSON.string("Größe \"A\" \\ / € \n\t\u{01}\u{1F}")
        #expect(value.text == #""Größe \"A\" \\ / € \n\t\u0001\u001f""#)
    }
}

/// The response writer escapes exactly like the canonical serialiser and keeps member order.
@Suite struct JSONWriterTests {
    @Test func matchesCanonicalEscaping() {
        var w = JSONWriter()
        w.beginObject()
        w.key("b"); w.string("Größe \"A\" \\ \n\u{01}")
        w.key("a"); w.integer(Int64(-5))
        w.key("n"); w.string(nil)
        w.key("raw"); w.raw(#"{"x":[1,2]}"#)
        w.key("list"); w.beginArray(); w.integer(1); w.string("z"); w.null(); w.endArray()
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self)
                == #"{"b":"Größe \"A\" \\ \n\u0001","a":-5,"n":null,"raw":{"x":[1,2]},"list":[1,"z",null]}"#)
        #expect(CanonicalJSON.string("Größe \"A\" \\ \n\u{01}").text == #""Größe \"A\" \\ \n\u0001""#)
    }
}
