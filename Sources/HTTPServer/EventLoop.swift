import CEpoll
import Dispatch
import Glibc

/// One event loop: a serial Dispatch queue and an epoll set of its connections' sockets.
///
/// Dispatch watches the epoll descriptor (one read source per loop); when it fires, every ready
/// connection of the loop is served in one pass. Per request that costs the socket's own read
/// and write, while Dispatch's per-event work (a worker wake-up, two epoll_ctl re-arms, an
/// ioctl) is paid once per batch instead of once per connection event (a read source per
/// connection cost several system calls and a context switch per keep-alive request;
/// docs/measurements.md).
///
/// Registrations are edge-triggered: a socket joins the kernel's ready list when data arrives,
/// so a pass serves connections in the order their requests came. Level-triggered, a socket
/// served in one pass was put back at the list's end at once and kept that place when its next
/// request came, so passes went in an order unrelated to arrival and the latency spread widened
/// (docs/measurements.md). Readers therefore drain a socket on every report (`onReadable`).
///
/// `@unchecked Sendable`: `connections` and the scratch arrays are touched only on `queue`.
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    /// Its position among the server's loops.
    let index: Int
    private let epfd: Int32
    private var source: DispatchSourceRead?
    /// The watched connections by descriptor: descriptors are small integers, so an array (a hash
    /// of the descriptor per ready event is what the dictionary cost).
    private var connections: [HTTPConnection?] = []
    private var readyFDs = [Int32](repeating: 0, count: 128)
    private var readyEvents = [UInt32](repeating: 0, count: 128)
    /// The loop's clock (`MonotonicClock`): read when a pass begins, when a block from elsewhere
    /// (a handler's response, a writable socket, a timer) starts, and when a write finishes —
    /// not once per step of every request.
    private(set) var now: UInt64 = MonotonicClock.now()

    /// Reads the clock (on `queue`).
    @discardableResult
    func refreshClock() -> UInt64 {
        now = MonotonicClock.now()
        return now
    }

    init(label: String, index: Int = 0) throws(HTTPServerError) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.index = index
        epfd = cepoll_create()
        guard epfd >= 0 else { throw HTTPServerError(.socket, "epoll_create1 failed: errno \(errno)") }
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        let epfd = self.epfd
        source.setEventHandler { [weak self] in self?.serveReady() }
        source.setCancelHandler { Glibc.close(epfd) }
        source.resume()
        self.source = source
    }

    deinit { source?.cancel() }

    /// Stops the loop; the epoll descriptor is closed once Dispatch lets go of it.
    func stop() {
        source?.cancel()
        source = nil
    }

    /// Starts watching `connection` for input (on `queue`).
    func watch(_ connection: HTTPConnection) {
        dispatchPrecondition(condition: .onQueue(queue))
        let fd = Int(connection.fd)
        if fd >= connections.count { connections.append(contentsOf: repeatElement(nil, count: fd + 1 - connections.count)) }
        connections[fd] = connection
        if cepoll_add_readable(epfd, connection.fd) != 0 {
            // Out of kernel memory for epoll: the connection cannot be served.
            connections[fd] = nil
            connection.forceClose()
        }
    }

    /// Stops watching `connection` (paused for back-pressure, or closed).
    func unwatch(_ connection: HTTPConnection) {
        dispatchPrecondition(condition: .onQueue(queue))
        let fd = Int(connection.fd)
        guard fd < connections.count, connections[fd] === connection else { return }
        connections[fd] = nil
        _ = cepoll_remove(epfd, connection.fd)
    }

    /// Serves every ready connection, pass after pass while there are any (at most
    /// `passesPerWakeUp`, so that blocks queued behind — a handler's response, a timer — wait
    /// for a bounded time). Under load a pass finds connections whose next request arrived
    /// while the previous one was served; going back to Dispatch after each pass would pay its
    /// wake-up (an epoll_wait on its manager thread, a futex) for a handful of requests.
    private func serveReady() {
        for _ in 0..<Self.passesPerWakeUp {
            let n = Int(cepoll_ready(epfd, &readyFDs, &readyEvents, Int32(readyFDs.count)))
            guard n > 0 else { return }
            now = MonotonicClock.now()
            for i in 0..<n {
                // A connection closed earlier in this batch is gone from the table.
                let fd = Int(readyFDs[i])
                if fd < connections.count { connections[fd]?.onReadable(hungUp: cepoll_hung_up(readyEvents[i]) != 0) }
            }
        }
    }

    static let passesPerWakeUp = 8
}
