import Chronology
import Compliance
import Crypto
import Foundation
import Testing

/// The audit-v1 encoding against the known-answer vectors of docs/audit-chain.md §3.
@Suite struct AuditChainTests {
    static let org = "7f3c2a9e-0000-4000-8000-000000000001"

    static var v1: AuditEntry {
        AuditEntry(organizationID: org, seq: 1,
                   occurredAt: Timestamp(year: 2024, month: 1, day: 31, hour: 9, minute: 15, second: 2, microsecond: 123_456)!,
                   actor: "user:42", action: "insert", entity: "ledger_entries",
                   entityID: "1e000000-0000-4000-8000-0000000000e1",
                   payload: #"{"amount":"1200.00","text":"Miete 01/2024; Top 3 – Größe \"A\""}"#,
                   prevHash: AuditChain.genesis, hash: [])
    }

    @Test("V1 (genesis): preimage of 267 bytes and the published hash")
    func vectorV1() {
        let preimage = AuditChain.preimage(of: Self.v1, previousHash: AuditChain.genesis)
        #expect(Self.v1.payload.utf8.count == 68)
        #expect(preimage.count == 267)
        #expect(Hex.encode(preimage[40..<44]) == "00000024")
        #expect(String(decoding: preimage[44..<80], as: UTF8.self) == Self.org)
        #expect(Hex.encode(preimage[80..<85]) == "0000000131")
        #expect(Hex.encode(preimage[85..<89]) == "0000001b")
        #expect(Hex.encode(AuditChain.hash(of: Self.v1, previousHash: AuditChain.genesis))
                == "5de05ca9acc7e6d00997e023abeba2f608db1f1f8bbb58dc95feac68416ebde7")
    }

    @Test("V2 chains to V1 (empty entity_id, payload {})")
    func vectorV2() {
        let h1 = AuditChain.hash(of: Self.v1, previousHash: AuditChain.genesis)
        let v2 = AuditEntry(organizationID: Self.org, seq: 2,
                            occurredAt: Timestamp(year: 2024, month: 1, day: 31, hour: 9, minute: 16, second: 0)!,
                            actor: "system", action: "export", entity: "audit_package", entityID: "",
                            payload: "{}", prevHash: h1, hash: [])
        #expect(Hex.encode(AuditChain.hash(of: v2, previousHash: h1))
                == "03c917ad22e1f9cb65bbec29879c3fb5d7e17b4000adef35c236e665a01f3637")
    }

    /// The verifier's byte path (rows as the binary COPY delivers them) against the same vectors.
    static func bytesPreimage(_ e: AuditEntry, previousHash: [UInt8]) -> [UInt8] {
        var buffer: [UInt8] = []
        Array(e.organizationID.utf8).withUnsafeBytes { org in
            Array(e.actor.utf8).withUnsafeBytes { actor in
                Array(e.action.utf8).withUnsafeBytes { action in
                    Array(e.entity.utf8).withUnsafeBytes { entity in
                        Array(e.entityID.utf8).withUnsafeBytes { entityID in
                            Array(e.payload.utf8).withUnsafeBytes { payload in
                                [UInt8]().withUnsafeBytes { none in
                                    AuditChain.preimage(of: AuditRowBytes(organization: org, seq: e.seq, occurredAt: e.occurredAt, actor: actor, action: action,
                                                                          entity: entity, entityID: entityID, payload: payload, prevHash: none, hash: none),
                                                        previousHash: previousHash, into: &buffer)
                                }
                            }
                        }
                    }
                }
            }
        }
        return buffer
    }

    @Test("the byte path: V1's 267 bytes and hash; seqs of every width and a negative one render as their decimal text")
    func bytePath() {
        let preimage = Self.bytesPreimage(Self.v1, previousHash: AuditChain.genesis)
        #expect(preimage == AuditChain.preimage(of: Self.v1, previousHash: AuditChain.genesis))
        #expect(Hex.encode(SHA256.hash(preimage)) == "5de05ca9acc7e6d00997e023abeba2f608db1f1f8bbb58dc95feac68416ebde7")
        for seq: Int64 in [0, 9, 10, 1_000_000, Int64.max, -1, Int64.min] {
            var entry = Self.v1
            entry.seq = seq
            #expect(Self.bytesPreimage(entry, previousHash: AuditChain.genesis) == AuditChain.preimage(of: entry, previousHash: AuditChain.genesis), "seq \(seq)")
        }
    }

    @Test("field helper: F(Größe) and F(empty)")
    func fieldEncoding() {
        var p = ChainPreimage(prefix: "", previousHash: [])
        p.append("Größe")
        #expect(Hex.encode(p.bytes) == "000000074772c3b6c39f65")
        var e = ChainPreimage(prefix: "", previousHash: [])
        e.append("")
        e.append(nullable: nil)
        #expect(Hex.encode(e.bytes) == "00000000ffffffff")
    }

    @Test("uppercase UUIDs are lowercased (Swift's uuidString trap)")
    func uppercaseUUID() {
        let entry = AuditEntry(organization: UUID(uuidString: Self.org.uppercased())!, seq: 1,
                               occurredAt: Self.v1.occurredAt, actor: Self.v1.actor, action: Self.v1.action,
                               entity: Self.v1.entity, entityID: Self.v1.entityID, payload: Self.v1.payload)
        #expect(entry.organizationID == Self.org)
        #expect(AuditChain.hash(of: entry, previousHash: AuditChain.genesis)
                == AuditChain.hash(of: Self.v1, previousHash: AuditChain.genesis))
    }

    @Test("canonically equivalent strings hash differently (bytes, no normalisation)")
    func noNormalisation() {
        var composed = Self.v1, decomposed = Self.v1
        composed.actor = "J\u{FC}rgen"
        decomposed.actor = "Ju\u{308}rgen"
        #expect(composed.actor == decomposed.actor)   // Swift String equality is canonical…
        #expect(AuditChain.hash(of: composed, previousHash: AuditChain.genesis)
                != AuditChain.hash(of: decomposed, previousHash: AuditChain.genesis))   // …the hash is not
    }
}

/// The verifier reports every condition of docs/audit-chain.md §6.
@Suite struct AuditChainVerifierTests {
    static func chain(_ n: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var prev = AuditChain.genesis
        for i in 1...n {
            var e = AuditEntry(organizationID: AuditChainTests.org, seq: Int64(i),
                               occurredAt: Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(i) * 1000),
                               actor: "user:\(i)", action: "update", entity: "tenants", entityID: "\(i)",
                               payload: "{\"n\":\(i)}", prevHash: prev, hash: [])
            e.hash = AuditChain.hash(of: e, previousHash: prev)
            prev = e.hash
            entries.append(e)
        }
        return entries
    }

    static func verify(_ entries: [AuditEntry]) -> AuditChainVerifier {
        var v = AuditChainVerifier()
        entries.forEach { v.consume($0) }
        return v
    }

    @Test func intactChain() {
        let v = Self.verify(Self.chain(50))
        #expect(v.isIntact && v.problems.isEmpty && v.entries == 50 && v.head.seq == 50)
    }

    @Test("an edited middle row: hash mismatch at that seq")
    func edited() {
        var entries = Self.chain(10)
        entries[4].payload = "{\"n\":999}"
        let v = Self.verify(entries)
        #expect(v.problems.count == 1 && v.problems[0].matches(.hashMismatch, at: 5))
    }

    @Test("a deleted middle row: gap and broken link at the next seq")
    func deleted() {
        var entries = Self.chain(10)
        entries.remove(at: 4)
        let v = Self.verify(entries)
        #expect(v.problems.contains { $0.matches(.gapInSeq, at: 6) })
        #expect(v.problems.contains { $0.matches(.brokenLink, at: 6) })
        #expect(!v.isIntact)
    }

    @Test("a re-serialised payload (same JSON, other whitespace) is a hash mismatch")
    func reserialised() {
        var entries = Self.chain(3)
        entries[1].payload = "{ \"n\": 2 }"
        #expect(Self.verify(entries).problems.map { "\($0.kind.rawValue) \($0.seq)" } == ["hash mismatch 2"])
    }

    @Test("a chain starting at seq 2, or with a non-zero genesis, is bad genesis")
    func badGenesis() {
        let entries = Self.chain(3)
        #expect(Self.verify(Array(entries.dropFirst())).problems.contains { $0.matches(.badGenesis, at: 2) })
        var first = entries[0]
        first.prevHash = [UInt8](repeating: 1, count: 32)
        #expect(Self.verify([first]).problems.contains { $0.matches(.badGenesis, at: 1) })
    }

    @Test("time going backwards is a warning, not a failure")
    func timeBackwards() {
        var entries = Self.chain(3)
        entries[2].occurredAt = Timestamp(microsecondsSinceEpoch: 0)
        entries[2].hash = AuditChain.hash(of: entries[2], previousHash: entries[1].hash)
        let v = Self.verify(entries)
        #expect(v.problems.count == 1 && v.problems[0].matches(.timeWentBackwards, at: 3))
        #expect(v.isIntact)
    }

    @Test("a partial range verifies from an anchored previous hash")
    func partialRange() {
        let entries = Self.chain(10)
        var v = AuditChainVerifier(firstSeq: 6, previousHash: entries[4].hash)
        entries[5...].forEach { v.consume($0) }
        #expect(v.problems.isEmpty && v.head.seq == 10)
    }
}
