import Glibc

/// Forwards SIGTERM, SIGINT and SIGHUP to the running child while one runs. The handler only
/// calls `kill(2)`, which is async-signal-safe; the pid lives in a global the handler can read.
enum SignalForwarding {
    nonisolated(unsafe) static var child: pid_t = 0

    static func begin(_ pid: pid_t) {
        child = pid
        for s in [SIGTERM, SIGINT, SIGHUP] {
            signal(s) { number in
                if SignalForwarding.child > 0 { kill(SignalForwarding.child, number) }
            }
        }
    }

    /// The handlers stay installed (doing nothing without a child): a signal that arrives while
    /// the outcome is being recorded must not cut the record short. Recording is bounded by the
    /// connect and statement timeouts.
    static func end() {
        child = 0
    }
}
