import Foundation
import PgBackRest

/// Runs a command to its end (`SystemProcesses`; fakes in tests give exit codes and signals).
public protocol ProcessRunning: Sendable {
    /// - Parameters:
    ///   - passThrough: copy the child's output to ours as it arrives.
    ///   - timeout: wall-clock limit (SIGTERM, then SIGKILL 5 s later).
    ///   - keepBytes: how much of each stream's end is kept.
    func run(_ arguments: [String], passThrough: Bool, timeout: Duration?, keepBytes: Int) async -> ChildProcess.Result
}

/// Real child processes, each waited for on a thread of its own: the wait never parks one of
/// the cooperative pool's threads (two on a 2-core machine) for the length of a backup.
public struct SystemProcesses: ProcessRunning {
    public init() {}

    public func run(_ arguments: [String], passThrough: Bool, timeout: Duration?, keepBytes: Int) async -> ChildProcess.Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: ChildProcess.run(arguments, passThrough: passThrough, timeout: timeout, keepBytes: keepBytes))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
