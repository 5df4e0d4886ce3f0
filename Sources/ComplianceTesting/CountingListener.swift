import Foundation
import Glibc
import Synchronization

/// A TCP listener on 127.0.0.1 that accepts every connection and closes it at once, counting
/// them: a "database" that is reachable but never answers, to count how often a client tries.
public final class CountingListener: Sendable {
    public let port: Int
    private let fd: Int32
    private let accepted = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let done = Mutex<Bool>(false)

    public init() throws {
        let (fd, port) = try LoopbackSocket.bound()
        guard listen(fd, 128) == 0 else {
            close(fd)
            throw HarnessError("listen failed: errno \(errno)")
        }
        self.port = port
        self.fd = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Connections accepted so far.
    public var count: Int { accepted.load(ordering: .acquiring) }

    private func acceptLoop() {
        while running.load(ordering: .acquiring) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let client = accept(fd, nil, nil)
            if client >= 0 {
                accepted.add(1, ordering: .releasing)
                close(client)
            }
        }
        close(fd)
        done.withLock { $0 = true }
    }

    /// Stops accepting and closes the socket.
    public func stop() {
        running.store(false, ordering: .releasing)
        while !done.withLock({ $0 }) { usleep(10_000) }
    }
}
