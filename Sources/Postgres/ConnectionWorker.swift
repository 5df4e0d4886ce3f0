import Foundation
import Glibc
import Synchronization

/// One dedicated thread that owns one `Connection` and runs jobs on it, one at a time.
///
/// libpq is driven non-blocking, but waiting on its socket still parks a thread; these threads are
/// ours (one per pooled connection), never Dispatch's or the cooperative pool's, so a slow or dead
/// database cannot starve request handling or `/health`.
///
/// `@unchecked Sendable`: `connection` is touched only on `thread` (inside jobs); the job queue and
/// `stopped` are guarded by `condition`.
final class ConnectionWorker: @unchecked Sendable {
    typealias Job = () -> Void

    private let configuration: ConnectionConfiguration
    /// The pool's backoff while the database is unreachable (shared by its workers).
    private let gate: ConnectGate
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopped = false
    /// The loop has returned: a later `stop` calls back at once.
    private var exited = false
    private var connection: Connection?
    private var onStop: [@Sendable () -> Void] = []
    let cancellation = CancellationSignal()
    /// Set by a `run` job just before it hands its result back when it is the last job queued
    /// and left the connection open and outside a transaction: then a release needs no reset job
    /// (one thread wake-up less per checkout). Cleared by every submit. Guarded by `condition`.
    private var idleAfterLastJob = false

    init(configuration: ConnectionConfiguration, name: String, gate: ConnectGate = ConnectGate()) {
        self.configuration = configuration
        self.gate = gate
        let thread = Thread { [self] in
            Self.nameKernelThread(name)
            runLoop()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Foundation keeps a thread's name to itself on Linux; the kernel's name (15 bytes) is what
    /// top, ps and perf show. (`pthread_setname_np` is not in Swift's Glibc module.)
    private static func nameKernelThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Enqueues a job for the worker thread; false (and the job dropped) once the worker stopped.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return false }
        // Whatever this job does, the connection's state is unknown until a `run` job reports it.
        idleAfterLastJob = false
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Finishes queued jobs, closes the connection and ends the thread; `then` runs after the
    /// connection is closed.
    func stop(then done: (@Sendable () -> Void)? = nil) {
        condition.lock()
        if exited {
            // Stopped before (a pool closed twice): the loop is gone and would never call back.
            condition.unlock()
            done?()
            return
        }
        if let done { onStop.append(done) }
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                let callbacks = onStop
                onStop = []
                exited = true
                condition.unlock()
                connection?.close()
                connection = nil
                for callback in callbacks { callback() }
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` with a healthy connection on the worker thread and returns its result.
    /// Cancelling the calling task cancels the running query on the server.
    func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws(PostgresError) -> T) async throws(PostgresError) -> T {
        let flag = CancelFlag()
        let result: Result<T, PostgresError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, PostgresError>, Never>) in
                let accepted = submit { [self] in
                    guard !flag.isSet else {
                        continuation.resume(returning: .failure(PostgresError(.cancelled, "cancelled before it started")))
                        return
                    }
                    continuation.resume(returning: perform(body, cancelled: { flag.isSet }))
                }
                if !accepted {
                    continuation.resume(returning: .failure(PostgresError(.poolClosed, "the connection pool is closed")))
                }
            }
        } onCancel: {
            flag.set()
            cancellation.signal()
        }
        return try result.get()
    }

    /// Runs `body` with a healthy connection on the worker thread, then calls `done` with its
    /// result there: for callers without a task (`ConnectionPool.start`). Not cancellable; the
    /// statement timeout bounds it.
    func start<T>(_ body: @escaping (Connection) throws(PostgresError) -> T, then done: @escaping (Result<T, PostgresError>) -> Void) {
        let accepted = submit { [self] in done(perform(body, cancelled: { false })) }
        if !accepted { done(.failure(PostgresError(.poolClosed, "the connection pool is closed"))) }
    }

    /// One job on the worker thread: `body` with a healthy connection, and the note that lets a
    /// release skip its reset job when the connection was left idle.
    private func perform<T>(_ body: (Connection) throws(PostgresError) -> T, cancelled: @escaping () -> Bool) -> Result<T, PostgresError> {
        let result: Result<T, PostgresError>
        do throws(PostgresError) {
            let c = try usableConnection()
            c.isCancelled = cancelled
            defer { c.isCancelled = { false } }
            result = .success(try body(c))
        } catch {
            result = .failure(error)
        }
        let idle = connection?.isIdle == true
        condition.lock()
        idleAfterLastJob = idle && jobs.isEmpty
        condition.unlock()
        return result
    }

    /// Runs `body` on the worker thread without waiting (used to reset a connection on release).
    func runDetached(_ body: @escaping (Connection?) -> Void) {
        if !submit({ [self] in body(connection) }) { body(nil) }
    }

    /// Resets the connection after a checkout: rolls back an open transaction, drops a broken link.
    /// When the last job left the connection idle there is nothing to reset, and `done` runs at
    /// once on the caller's thread.
    func resetAfterUse(then done: @escaping @Sendable () -> Void) {
        condition.lock()
        let idle = idleAfterLastJob
        idleAfterLastJob = false
        condition.unlock()
        if idle {
            done()
            return
        }
        let accepted = submit { [self] in
            if let c = connection {
                if !c.isOpen {
                    c.close()
                    connection = nil
                } else if !c.isIdle {
                    do { try c.executeScript("ROLLBACK", timeout: .seconds(5)) } catch { c.close() }
                    if !c.isIdle { c.close(); connection = nil }
                }
            }
            done()
        }
        if !accepted { done() }
    }

    /// The current connection if it passes the idle health check, else a new one.
    private func usableConnection() throws(PostgresError) -> Connection {
        if let c = connection {
            if !c.isIdle && c.isOpen { return c }   // inside a transaction: keep it
            if c.isHealthyWhenIdle { return c }
            c.close()
            connection = nil
        }
        let c = try gate.open { () throws(PostgresError) in try Connection.connect(configuration, cancellation: cancellation) }
        connection = c
        return c
    }
}

/// A cancellation flag shared between a caller's cancellation handler and the worker thread.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
