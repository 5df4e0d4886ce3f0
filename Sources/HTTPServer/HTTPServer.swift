import Dispatch
import Foundation
import Glibc
import HTTP1
import Synchronization

/// The HTTP/1.1 server on Dispatch sockets: a non-blocking listening socket with a read source,
/// event loops (a serial queue each, with an epoll set of its connections watched by one read
/// source), a write source for a connection whose socket is full, one timeout sweeper, and
/// graceful shutdown.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    /// The configuration in the connection state machine's units, converted once.
    let machineConfiguration: ConnectionStateMachine.Configuration
    let responder: any HTTPResponder
    let dates = DateCache()
    private let listenerFD: Int32
    /// The bound port (useful with port 0).
    public let port: Int
    private let sweeper: TimerSource
    /// Event loops: one serial queue per core. A connection lives on one of them for its whole
    /// life (its sources fire there, its state is touched only there), so busy connections are
    /// drained by one thread without cross-thread wake-ups per event.
    let loops: [EventLoop]
    private let nextLoop = Atomic<Int>(0)
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var connections: [ObjectIdentifier: HTTPConnection] = [:]
        var acceptSource: AcceptSource?
        var acceptSuspended = false
        var shuttingDown = false
        var stopped: [CheckedContinuation<Void, Never>] = []
        var started = false
    }

    /// Binds the listening socket (nothing is accepted until `start()`).
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder) throws(HTTPServerError) {
        self.configuration = configuration
        self.machineConfiguration = configuration.machineConfiguration
        self.responder = responder
        signal(SIGPIPE, SIG_IGN)
        Socket.raiseOpenFileLimit()
        listenerFD = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        port = Socket.localPort(listenerFD)
        sweeper = TimerSource(DispatchSource.makeTimerSource(queue: DispatchQueue(label: "http.timeouts")))
        // Half the cores (at least one) run event loops; the others are left to the async
        // handlers (the cooperative pool), the database and, on a benchmark host, the client:
        // more loops compete with all of those for the same cores (docs/measurements.md).
        let online = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let cores = Int(ProcessInfo.processInfo.environment["IMMOFLOW_LOOPS"] ?? "").flatMap { (1...256).contains($0) ? $0 : nil }
            ?? max(1, online / 2)
        var loops: [EventLoop] = []
        do {
            for i in 0..<cores { loops.append(try EventLoop(label: "http.loop.\(i)", index: i)) }
        } catch {
            for loop in loops { loop.stop() }
            sweeper.source.resume()
            sweeper.source.cancel()
            close(listenerFD)
            throw error
        }
        self.loops = loops
    }

    deinit {
        // Dispatch traps when a source is released while inactive, so a never-started server
        // activates its sweeper to cancel it, and closes the listener itself.
        let (started, accept, suspended) = state.withLock { ($0.started, $0.acceptSource, $0.acceptSuspended) }
        sweeper.source.cancel()
        for loop in loops { loop.stop() }
        if !started {
            sweeper.source.resume()
            close(listenerFD)
        } else if let accept {
            if suspended { accept.source.resume() }
            accept.source.cancel()
        }
    }

    /// Every 100 ms: hand every connection whose deadline passed to its own queue.
    private func sweep() {
        let now = MonotonicClock.now()
        let due = state.withLock { s in s.connections.values.filter { $0.deadline.load(ordering: .relaxed) <= now } }
        for connection in due {
            connection.queue.async { connection.checkTimeout() }
        }
    }

    /// Starts accepting connections.
    public func start() {
        // Accepting runs on the first loop's queue: a connection assigned to that loop starts
        // without a hand-off (with one loop, every connection).
        let source = AcceptSource(DispatchSource.makeReadSource(fileDescriptor: listenerFD, queue: loops[0].queue))
        source.source.setEventHandler { [weak self] in self?.acceptAll() }
        let fd = listenerFD
        source.source.setCancelHandler { close(fd) }
        state.withLock {
            $0.acceptSource = source
            $0.started = true
        }
        source.source.resume()
        sweeper.source.setEventHandler { [weak self] in self?.sweep() }
        sweeper.source.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(20))
        sweeper.source.resume()
    }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    private func acceptAll() {
        while true {
            let full = state.withLock { s -> Bool in
                if s.connections.count >= configuration.maxConnections || s.shuttingDown {
                    if !s.acceptSuspended, let source = s.acceptSource?.source {
                        source.suspend()
                        s.acceptSuspended = true
                    }
                    return true
                }
                return false
            }
            if full { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenerFD, $0, &length) }
            }
            if fd < 0 {
                // EAGAIN: drained. EMFILE/ENFILE: out of descriptors; the source fires again.
                return
            }
            Socket.configureAccepted(fd)
            let loop = loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
            let connection = HTTPConnection(fd: fd, remoteAddress: Socket.describe(storage), server: self, loop: loop)
            state.withLock { $0.connections[ObjectIdentifier(connection)] = connection }
            connection.start(onLoopQueue: loop === loops[0])
        }
    }

    /// Called by a connection once its descriptor is closed.
    func connectionClosed(_ connection: HTTPConnection) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.connections.removeValue(forKey: ObjectIdentifier(connection))
            if s.acceptSuspended, !s.shuttingDown, s.connections.count < configuration.maxConnections, let source = s.acceptSource?.source {
                s.acceptSuspended = false
                source.resume()
            }
            if s.shuttingDown && s.connections.isEmpty {
                defer { s.stopped.removeAll() }
                return s.stopped
            }
            return []
        }
        for waiter in waiters { waiter.resume() }
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Graceful shutdown: stop accepting, close idle connections, let in-flight requests finish
    /// (their responses carry `Connection: close`), and cut whatever is left after `drainTimeout`.
    public func shutdown() async {
        let connections = state.withLock { s -> [HTTPConnection] in
            s.shuttingDown = true
            if let source = s.acceptSource?.source {
                if s.acceptSuspended { source.resume() }
                source.cancel()
                s.acceptSource = nil
            }
            return Array(s.connections.values)
        }
        for connection in connections { connection.beginShutdown() }
        let drained = Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { s -> Bool in
                    if s.connections.isEmpty { return true }
                    s.stopped.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        }
        let deadline = Task {
            try? await Task.sleep(for: configuration.drainTimeout)
            guard !Task.isCancelled else { return }
            let left = state.withLock { Array($0.connections.values) }
            for connection in left { connection.forceClose() }
        }
        await drained.value
        deadline.cancel()
    }
}

/// The listening socket's read source. `@unchecked Sendable`: Dispatch sources are thread-safe
/// objects; this box is only stored and read under the server's lock.
final class AcceptSource: @unchecked Sendable {
    let source: DispatchSourceRead
    init(_ source: DispatchSourceRead) { self.source = source }
}

/// The shared timeout timer. `@unchecked Sendable`: a Dispatch source is thread-safe; it is set
/// up once in `start()` and cancelled in `deinit`.
final class TimerSource: @unchecked Sendable {
    let source: DispatchSourceTimer
    init(_ source: DispatchSourceTimer) { self.source = source }
}
