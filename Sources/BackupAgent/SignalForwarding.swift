import Glibc

/// Forwards SIGTERM, SIGINT and SIGHUP to the running child while one runs. The handler only
/// calls `kill(2)`, which is async-signal-safe; the pid lives in a global the handler can read.
public enum SignalForwarding {
    nonisolated(unsafe) static var child: pid_t = 0
    /// Set by the handler: a signal asked this process to stop (a long job checks it between
    /// its steps and cleans up instead of dying half-way).
    nonisolated(unsafe) public static var interrupted: sig_atomic_t = 0

    /// Installs the handlers without a child (a job that must clean up when it is stopped).
    public static func install() {
        for s in [SIGTERM, SIGINT, SIGHUP] {
            signal(s) { number in
                SignalForwarding.interrupted = 1
                if SignalForwarding.child > 0 { kill(SignalForwarding.child, number) }
            }
        }
    }

    static func begin(_ pid: pid_t) {
        child = pid
        install()
    }

    /// The handlers stay installed (doing nothing without a child): a signal that arrives while
    /// the outcome is being recorded must not cut the record short. Recording is bounded by the
    /// connect and statement timeouts.
    static func end() {
        child = 0
    }
}
