import Synchronization

/// The pool's `ConnectBackoff` under a lock, shared by its workers: every connection attempt of
/// the pool goes through it.
final class ConnectGate: Sendable {
    private let state = Mutex(ConnectBackoff())

    /// Opens a connection with `connect` if the backoff allows, and records the outcome.
    func open(_ connect: () throws(PostgresError) -> Connection) throws(PostgresError) -> Connection {
        let now = ContinuousClock.now
        switch state.withLock({ $0.permit(now: now) }) {
        case .attempt:
            break
        case .busy:
            throw PostgresError(.connectionFailed, "the database was unreachable; a connection attempt is under way")
        case .refuse(let until):
            let wait = until - now
            let ms = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
            throw PostgresError(.connectionFailed, "the database was unreachable at the last attempt; the next in \(ms) ms")
        }
        do {
            let connection = try connect()
            state.withLock { $0.succeeded() }
            return connection
        } catch {
            state.withLock { $0.failed(now: .now) }
            throw error
        }
    }

    /// Consecutive failed attempts (tests).
    var failures: Int { state.withLock { $0.failures } }
}
