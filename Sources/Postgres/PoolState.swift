/// The pool's bookkeeping as a pure value: which connections are free and who waits, in order.
///
/// The shell (`ConnectionPool`) holds it under a lock and carries out the decisions; tests drive it
/// directly.
struct PoolState: Sendable {
    enum CheckoutDecision: Equatable { case use(Int), wait, closed }
    enum ReleaseDecision: Equatable { case handOver(waiter: UInt64, slot: Int), idle }

    private(set) var idle: [Int]
    private(set) var waiters: [UInt64] = []
    private(set) var isClosed = false

    init(size: Int) {
        // LIFO: the most recently used connection is reused first, keeping few connections warm.
        idle = Array((0..<size).reversed())
    }

    mutating func checkout(waiter: UInt64) -> CheckoutDecision {
        if isClosed { return .closed }
        if let slot = idle.popLast() { return .use(slot) }
        waiters.append(waiter)
        return .wait
    }

    mutating func release(slot: Int) -> ReleaseDecision {
        if !isClosed, !waiters.isEmpty {
            return .handOver(waiter: waiters.removeFirst(), slot: slot)
        }
        idle.append(slot)
        return .idle
    }

    /// Removes a waiter that timed out or was cancelled; false if it was already served.
    mutating func abandon(waiter: UInt64) -> Bool {
        guard let i = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: i)
        return true
    }

    /// Closes the pool and returns the waiters to fail.
    mutating func close() -> [UInt64] {
        isClosed = true
        defer { waiters.removeAll() }
        return waiters
    }
}
