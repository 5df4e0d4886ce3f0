import Chronology

/// Why a retention change is refused.
public enum RetentionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The requested date is before the lock's current one: retention is only ever extended.
    case wouldShorten(current: Timestamp, requested: Timestamp)

    public var description: String {
        switch self {
        case .wouldShorten(let current, let requested):
            "retention is only ever extended: \(requested.rfc3339Compact) is before the current \(current.rfc3339Compact)"
        }
    }
}
