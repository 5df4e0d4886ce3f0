import Chronology

/// Why a stored version is not the WORM evidence it should be.
public enum LockProblem: Sendable, Equatable, CustomStringConvertible {
    /// No such version (deleted, never written, or another key).
    case missing
    /// The version has no retention: anyone allowed to delete may delete it.
    case unlocked
    /// Locked in GOVERNANCE mode, which yields to a bypass: not WORM.
    case governance
    /// Locked until before the law's date.
    case tooShort(until: Timestamp, required: Timestamp)
    /// The bytes stored are not the bytes written.
    case checksumDiffers(expected: String, actual: String)

    public var description: String {
        switch self {
        case .missing: "the version does not exist"
        case .unlocked: "the version is not locked"
        case .governance: "the version is locked in GOVERNANCE mode, which a bypass lifts; WORM needs COMPLIANCE"
        case .tooShort(let until, let required):
            "the version is locked until \(until.rfc3339Compact), before the legal \(required.rfc3339Compact)"
        case .checksumDiffers(let expected, let actual): "the stored bytes have SHA-256 \(actual), not \(expected)"
        }
    }

    /// Every problem of a version with `retention` whose bytes hash to `actualSHA256`, held to
    /// `requiredUntil` (the law's date, when known) and `expectedSHA256` (hex).
    public static func problems(retention: ObjectRetention?, requiredUntil: Timestamp?, expectedSHA256: String, actualSHA256: String) -> [LockProblem] {
        var problems = lockProblems(retention: retention, requiredUntil: requiredUntil)
        if expectedSHA256.lowercased() != actualSHA256.lowercased() {
            problems.append(.checksumDiffers(expected: expectedSHA256.lowercased(), actual: actualSHA256.lowercased()))
        }
        return problems
    }

    /// The lock's problems alone (the background check reads the lock, not the bytes).
    public static func lockProblems(retention: ObjectRetention?, requiredUntil: Timestamp?) -> [LockProblem] {
        var problems: [LockProblem] = []
        switch retention {
        case nil: problems.append(.unlocked)
        case let r? where r.mode == .governance: problems.append(.governance)
        default: break
        }
        if let retention, let requiredUntil, retention.retainUntil < requiredUntil {
            problems.append(.tooShort(until: retention.retainUntil, required: requiredUntil))
        }
        return problems
    }
}
