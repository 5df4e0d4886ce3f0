import Glibc

/// A self-pipe a waiting worker polls next to its database socket, so another thread can wake it
/// to cancel the running query.
///
/// `@unchecked Sendable`: the descriptors are fixed for the object's life; `signal()` and `reset()`
/// are single non-blocking syscalls that are safe from any thread.
final class CancellationSignal: @unchecked Sendable {
    /// The end to poll for `POLLIN`.
    let descriptor: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        let rc = pipe(&ends)
        precondition(rc == 0, "pipe failed: errno \(errno)")
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    /// Wakes the waiter. A full pipe already means "signalled", so a failed write is fine.
    func signal() {
        var one: UInt8 = 1
        _ = write(writeEnd, &one, 1)
    }

    /// Clears pending signals; returns true if any was pending.
    @discardableResult
    func reset() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64)
        var any = false
        while read(descriptor, &buffer, buffer.count) > 0 { any = true }
        return any
    }
}
