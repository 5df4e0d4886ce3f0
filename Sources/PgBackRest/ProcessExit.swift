/// How a wrapped command ended.
public enum ProcessExit: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    /// It could not be started (not found, not executable): the shell's 127.
    case notStarted(String)
    /// Killed by the wrapper after its wall-clock limit.
    case timedOut(seconds: Int)

    /// The wrapper's own exit code: the command's, `128 + signal` like a shell, 127 when it could
    /// not be started, 124 after a timeout (as `timeout(1)` does).
    public var code: Int32 {
        switch self {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        case .notStarted: 127
        case .timedOut: 124
        }
    }

    public var succeeded: Bool { self == .exited(0) }
}
