import Chronology
import Foundation

/// The time events are stamped with (injected, so the wrapper is tested with fixed times).
public protocol WallClock: Sendable {
    func now() -> Timestamp
}

/// The system's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}
