import Dispatch
import Synchronization

/// A bounded pool of PostgreSQL connections, each on its own worker thread.
///
/// `withConnection` checks out a connection (waiting FIFO up to `checkoutTimeout`), and on return
/// rolls back any open transaction and drops a broken link. Connections are opened lazily and
/// re-opened on the next checkout after a failure, so the pool recovers by itself when the
/// database restarts.
public final class ConnectionPool: Sendable {
    public let configuration: ConnectionConfiguration
    public let size: Int
    public let checkoutTimeout: Duration
    private let workers: [ConnectionWorker]
    /// Backoff of connection attempts while the database is unreachable (`ConnectBackoff`).
    let connectGate: ConnectGate
    private let shell: Mutex<Shell>
    /// One timer for every waiter's checkout deadline (a timer task per waiter cost a task, a
    /// dispatch timer and two wake-ups on every contended checkout). Waiters time out up to
    /// `sweepInterval` late. It ticks only while someone waits (`Shell.sweeping`): an idle pool
    /// costs no wake-ups.
    private nonisolated(unsafe) let sweeper: DispatchSourceTimer
    static let sweepInterval = DispatchTimeInterval.milliseconds(100)

    /// Someone waiting for a connection: a suspended task, or a callback (`start`).
    private enum Waiter {
        case task(CheckedContinuation<Int, any Error>)
        case callback(@Sendable (Result<Int, PostgresError>) -> Void)

        func resume(_ outcome: Result<Int, PostgresError>) {
            switch self {
            case .task(let continuation): continuation.resume(with: outcome.mapError { $0 as any Error })
            case .callback(let callback): callback(outcome)
            }
        }
    }

    private struct Shell: ~Copyable {
        var state: PoolState
        var waiters: [UInt64: Waiter] = [:]
        var deadlines: [UInt64: ContinuousClock.Instant] = [:]
        var nextWaiter: UInt64 = 0
        /// Whether the deadline timer is resumed; changed only under the lock.
        var sweeping = false
    }

    public init(configuration: ConnectionConfiguration, size: Int = 8, checkoutTimeout: Duration = .seconds(5)) {
        precondition(size >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.size = size
        self.checkoutTimeout = checkoutTimeout
        let gate = ConnectGate()
        connectGate = gate
        workers = (0..<size).map { ConnectionWorker(configuration: configuration, name: "postgres-\($0)", gate: gate) }
        shell = Mutex(Shell(state: PoolState(size: size)))
        sweeper = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "postgres.pool.deadlines"))
        sweeper.setEventHandler { [weak self] in self?.expireWaiters() }
    }

    deinit {
        // A suspended source must be resumed before it is released.
        if !shell.withLock({ $0.sweeping }) { sweeper.resume() }
        sweeper.cancel()
        for worker in workers { worker.stop() }
    }

    /// Whether the deadline timer is ticking (tests: it must stop once nobody waits).
    var isSweeping: Bool { shell.withLock { $0.sweeping } }

    /// Fails the waiters whose checkout deadline has passed.
    private func expireWaiters() {
        let now = ContinuousClock.now
        let expired = shell.withLock { shell -> [Waiter] in
            guard !shell.deadlines.isEmpty else {
                if shell.sweeping {
                    shell.sweeping = false
                    sweeper.suspend()
                }
                return []
            }
            let due = shell.deadlines.filter { $0.value <= now }.map(\.key)
            return due.compactMap { waiter in
                shell.deadlines.removeValue(forKey: waiter)
                guard shell.state.abandon(waiter: waiter) else { return nil }
                return shell.waiters.removeValue(forKey: waiter)
            }
        }
        let timeout = checkoutTimeout
        for waiter in expired {
            waiter.resume(.failure(PostgresError(
                .poolExhausted, "no database connection became free within \(timeout) (pool size \(size))")))
        }
    }

    /// Runs `body` with a checked-out connection and returns it to the pool afterwards.
    public func withConnection<T>(_ body: (PooledConnection) async throws -> T) async throws -> T {
        let slot = try await checkout()
        let connection = PooledConnection(worker: workers[slot], defaultTimeout: configuration.statementTimeout)
        do {
            let result = try await body(connection)
            release(slot)
            return result
        } catch {
            release(slot)
            throw error
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; any error thrown by `body` or by `COMMIT` rolls back.
    public func withTransaction<T>(_ isolation: IsolationLevel = .readCommitted,
                                   _ body: (PooledConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.execute(isolation.beginStatement)
            do {
                let result = try await body(connection)
                try await connection.execute("COMMIT")
                return result
            } catch {
                // The release reset rolls back too; doing it here keeps the error of `body` first.
                _ = try? await connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one statement on any connection.
    public func query(_ query: Query, timeout: Duration? = nil) async throws -> QueryResult {
        try await withConnection { try await $0.query(query, timeout: timeout) }
    }

    /// Runs one statement and returns the number of affected rows.
    @discardableResult
    public func execute(_ query: Query, timeout: Duration? = nil) async throws -> Int {
        try await withConnection { try await $0.execute(query, timeout: timeout) }
    }

    /// Stops accepting checkouts, fails waiters, and returns once every connection is closed
    /// (connections in use are closed when their holder releases them).
    public func close() async {
        let failed = shell.withLock { shell -> [Waiter] in
            let ids = shell.state.close()
            shell.deadlines.removeAll()
            return ids.compactMap { shell.waiters.removeValue(forKey: $0) }
        }
        for waiter in failed { waiter.resume(.failure(PostgresError(.poolClosed, "the connection pool is closed"))) }
        for worker in workers {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                worker.stop { done.resume() }
            }
        }
    }

    // MARK: checkout

    private func checkout() async throws -> Int {
        let waiter = newWaiterID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let decision = checkout(waiter, .task(continuation))
                if decision == .wait, Task.isCancelled {
                    // A cancellation that arrived before the waiter was registered found nothing
                    // to cancel; honour it now.
                    fail(waiter: waiter, with: PostgresError(.cancelled, "cancelled while waiting for a connection"))
                }
            }
        } onCancel: {
            fail(waiter: waiter, with: PostgresError(.cancelled, "cancelled while waiting for a connection"))
        }
    }

    private func newWaiterID() -> UInt64 {
        shell.withLock { shell -> UInt64 in
            shell.nextWaiter += 1
            return shell.nextWaiter
        }
    }

    /// Takes a free slot for `waiter` or queues it (FIFO, with the checkout deadline); a slot or
    /// a closed pool is delivered at once.
    private func checkout(_ id: UInt64, _ waiter: Waiter) -> PoolState.CheckoutDecision {
        // Deciding and registering the waiter in one critical section: a release between the two
        // could otherwise hand the slot to a waiter nobody can resume.
        let deadline = ContinuousClock.now + checkoutTimeout
        let decision = shell.withLock { shell -> PoolState.CheckoutDecision in
            let decision = shell.state.checkout(waiter: id)
            if decision == .wait {
                shell.waiters[id] = waiter
                shell.deadlines[id] = deadline
                if !shell.sweeping {
                    shell.sweeping = true
                    sweeper.schedule(deadline: .now() + Self.sweepInterval, repeating: Self.sweepInterval,
                                     leeway: .milliseconds(20))
                    sweeper.resume()
                }
            }
            return decision
        }
        switch decision {
        case .use(let slot): waiter.resume(.success(slot))
        case .closed: waiter.resume(.failure(PostgresError(.poolClosed, "the connection pool is closed")))
        case .wait: break
        }
        return decision
    }

    // MARK: without a task

    /// Runs `query` on a pooled connection and calls `completion` with `transform` of its rows,
    /// both on the connection's thread, without a Swift task: for responses started on an
    /// event loop (`HTTPResponder.startResponse`). Waits for a connection like `withConnection`
    /// (FIFO, `checkoutTimeout`); a released connection goes straight to the next such caller
    /// on the same thread. Not cancellable; the statement timeout bounds it.
    public func start<T>(_ query: Query, timeout: Duration? = nil,
                         transform: @escaping @Sendable (QueryResult) throws(PostgresError) -> T,
                         completion: @escaping @Sendable (Result<T, PostgresError>) -> Void) {
        let limit = timeout ?? configuration.statementTimeout
        _ = checkout(newWaiterID(), .callback { [self] outcome in
            switch outcome {
            case .failure(let error):
                completion(.failure(error))
            case .success(let slot):
                workers[slot].start({ connection throws(PostgresError) in
                    try transform(connection.execute(query, timeout: limit))
                }, then: { [self] result in
                    release(slot)
                    completion(result)
                })
            }
        })
    }

    /// Fails a waiter if it is still waiting and its continuation is registered.
    private func fail(waiter: UInt64, with error: PostgresError) {
        let waiting = shell.withLock { shell -> Waiter? in
            shell.deadlines.removeValue(forKey: waiter)
            guard shell.state.abandon(waiter: waiter) else { return nil }
            return shell.waiters.removeValue(forKey: waiter)
        }
        waiting?.resume(.failure(error))
    }

    private func release(_ slot: Int) {
        workers[slot].resetAfterUse { [weak self] in self?.handBack(slot) }
    }

    private func handBack(_ slot: Int) {
        let next = shell.withLock { shell -> Waiter? in
            switch shell.state.release(slot: slot) {
            case .idle: return nil
            // Waiters are registered together with their continuation (see `checkout`).
            case .handOver(let waiter, _):
                shell.deadlines.removeValue(forKey: waiter)
                return shell.waiters.removeValue(forKey: waiter)
            }
        }
        next?.resume(.success(slot))
    }
}

/// Transaction isolation levels (PostgreSQL manual, 13.2).
public enum IsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var beginStatement: Query {
        switch self {
        case .readCommitted: return "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}
