import Chronology
import ObjectStore
import Testing

/// What `worm verify` reports, from values.
@Suite struct LockProblemTests {
    static let legal = Timestamp(year: 2035, month: 1, day: 1)!
    static let sha = String(repeating: "ab", count: 32)

    @Test("a COMPLIANCE lock until at least the legal date, the same bytes: no problem; upper-case hex is the same hash")
    func fine() {
        #expect(LockProblem.problems(retention: .init(mode: .compliance, retainUntil: Self.legal), requiredUntil: Self.legal,
                                     expectedSHA256: Self.sha.uppercased(), actualSHA256: Self.sha).isEmpty)
        #expect(LockProblem.problems(retention: .init(mode: .compliance, retainUntil: Self.legal.adding(seconds: 1)), requiredUntil: Self.legal,
                                     expectedSHA256: Self.sha, actualSHA256: Self.sha).isEmpty)
    }

    @Test("unlocked, GOVERNANCE, too short, other bytes: each named, together when together")
    func problems() {
        #expect(LockProblem.problems(retention: nil, requiredUntil: Self.legal, expectedSHA256: Self.sha, actualSHA256: Self.sha) == [.unlocked])
        #expect(LockProblem.problems(retention: .init(mode: .governance, retainUntil: Self.legal), requiredUntil: nil,
                                     expectedSHA256: Self.sha, actualSHA256: Self.sha) == [.governance])
        let short = Self.legal.adding(seconds: -1)
        let all = LockProblem.problems(retention: .init(mode: .governance, retainUntil: short), requiredUntil: Self.legal,
                                       expectedSHA256: Self.sha, actualSHA256: String(repeating: "cd", count: 32))
        #expect(all == [.governance, .tooShort(until: short, required: Self.legal),
                        .checksumDiffers(expected: Self.sha, actual: String(repeating: "cd", count: 32))])
        #expect(all[1].description == "the version is locked until 2034-12-31T23:59:59Z, before the legal 2035-01-01T00:00:00Z")
    }
}
