import Chronology
import Compliance
import Crypto
import Testing

/// Checkpoints judged against a verified chain: trusted only when the locked object is sound and
/// says what the row says; beyond the head (explained or not) and mismatches named at their seq.
@Suite struct CheckpointCheckTests {
    static let org = "7f3c2a9e-0000-4000-8000-000000000001"
    static let key = try! Ed25519PrivateKey(seed: Array(repeating: 7, count: 32))
    static let created = Timestamp(year: 2026, month: 6, day: 1)!
    static let hash5 = Array(repeating: UInt8(5), count: 32)

    static func evidence(seq: Int64 = 5, hash: [UInt8] = hash5, org: String = org, signer: Ed25519PrivateKey = key, lock: String? = "COMPLIANCE",
                         until: Timestamp? = Timestamp(year: 2037, month: 1, day: 1), row: ((inout CheckpointEvidence.Recorded) -> Void)? = nil)
        throws -> CheckpointEvidence {
        let checkpoint = AuditCheckpoint(organizationID: org, seq: seq, hash: hash, createdAt: created, keyID: key.publicKey.keyID)
        let (object, signature) = try checkpoint.signedObject(with: signer)
        var recorded = CheckpointEvidence.Recorded(checkpoint: checkpoint, signature: signature, storageKey: "k", versionID: "v")
        row?(&recorded)
        return CheckpointEvidence(recorded: recorded, stored: .object(object, lockMode: lock, retainUntil: until), location: "k@v")
    }

    static func check(_ items: [CheckpointEvidence], head: Int64 = 9, hashes: [Int64: [UInt8]] = [5: hash5], restores: [RestoreEvidence] = [])
        -> [ChainProblem] {
        CheckpointCheck.problems(organizationID: org, evidence: items, head: (head, []), hashes: hashes, keys: [key.publicKey], restores: restores)
    }

    @Test("a sound checkpoint the chain reaches with its hash: no problem")
    func sound() throws {
        #expect(Self.check([try Self.evidence()]).isEmpty)
    }

    @Test("invalid: another signer, another organization, unlocked, GOVERNANCE, the row changed, the version missing, a lock shorter than 10 years")
    func invalid() throws {
        let other = try Ed25519PrivateKey.generate()
        let cases: [(CheckpointEvidence, String)] = [
            (try Self.evidence(signer: other), "bad signature"),
            (try Self.evidence(org: "00000000-0000-4000-8000-000000000002"), "organization 00000000-0000-4000-8000-000000000002's checkpoint"),
            (try Self.evidence(lock: nil), "not locked"),
            (try Self.evidence(lock: "GOVERNANCE"), "locked in GOVERNANCE mode"),
            (try Self.evidence(row: { $0.checkpoint.hash = Array(repeating: 9, count: 32) }), "the recorded row differs"),
            (CheckpointEvidence(recorded: try Self.evidence().recorded, stored: .missing, location: "k@v"), "missing from the store"),
            // Signed in 2026: locked to 2037-01-01 at least; a lock to the end of 2036 is short.
            (try Self.evidence(until: Timestamp(year: 2036, month: 12, day: 31)), "locked only until 2036-12-31T00:00:00.000000Z, not until 2037-01-01"),
        ]
        for (item, why) in cases {
            let problems = Self.check([item])
            #expect(problems.count == 1 && problems[0].kind == .invalidCheckpoint && problems[0].detail?.contains(why) == true, "\(why): \(problems)")
        }
    }

    @Test("beyond the head: named at the checkpoint's seq; explained only by a restore after it to a point before it")
    func beyondHead() throws {
        let item = try Self.evidence(seq: 12)
        let plain = Self.check([item], head: 9)
        #expect(plain.map { "\($0.kind.rawValue) \($0.seq)" } == ["checkpoint beyond head 12"] && plain[0].explanation == nil && !plain[0].isWarning)
        let restore = RestoreEvidence(eventID: "e1", occurredAt: Self.created.adding(seconds: 3600), targetTime: Self.created.adding(seconds: -60))
        let explained = Self.check([item], head: 9, restores: [restore])
        #expect(explained[0].explanation?.contains("restore e1") == true && explained[0].isWarning)
        let earlier = RestoreEvidence(eventID: "e0", occurredAt: Self.created.adding(seconds: -3600), targetTime: nil)
        let toLater = RestoreEvidence(eventID: "e2", occurredAt: Self.created.adding(seconds: 3600), targetTime: Self.created.adding(seconds: 60))
        #expect(Self.check([item], head: 9, restores: [earlier, toLater])[0].explanation == nil)
    }

    @Test("a mismatch: the chain's hash at the seq differs, or no row has the seq")
    func mismatch() throws {
        let other = Self.check([try Self.evidence()], hashes: [5: Array(repeating: 6, count: 32)])
        #expect(other.count == 1 && other[0].matches(.checkpointMismatch, at: 5) && other[0].expected == Hex.encode(Self.hash5))
        let gone = Self.check([try Self.evidence()], hashes: [:])
        #expect(gone.count == 1 && gone[0].found == "no row at this seq")
    }
}
