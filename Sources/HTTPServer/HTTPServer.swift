import CEpoll
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
        /// Open connections by client address (`Admission`).
        var clients: [String: Int] = [:]
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

    /// Connections closed since memory was last given back.
    private let closedSinceTrim = Atomic<Int>(0)
    private let sweeps = Atomic<Int>(0)

    /// Every 100 ms: hand every connection whose deadline passed to its own queue. Every 10 s,
    /// when connections closed meanwhile, give freed memory back to the system: glibc keeps
    /// what a burst of large responses freed (issue 13: 577 MB stayed resident after 900
    /// abusive connections were gone).
    private func sweep() {
        if sweeps.wrappingAdd(1, ordering: .relaxed).oldValue % 100 == 99, closedSinceTrim.exchange(0, ordering: .relaxed) > 0 {
            _ = cepoll_release_memory()
        }
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

    /// Connections closed to make room for new ones, and connections refused because their
    /// client held too many busy ones.
    public let evicted = Atomic<Int>(0)
    public let refused = Atomic<Int>(0)

    private func acceptAll() {
        while true {
            let before = state.withLock { s -> Admission in
                if s.shuttingDown { return .wait }
                return Admission.beforeAccept(total: s.connections.count, limit: configuration.maxConnections,
                                              candidates: { Self.candidates(s.connections) })
            }
            if case .wait = before {
                suspendAccepting()
                return
            }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenerFD, $0, &length) }
            }
            if fd < 0 {
                // EAGAIN: drained. EMFILE/ENFILE: out of descriptors; the source fires again.
                return
            }
            if case .admitEvicting(let key) = before { evict(key) }
            Socket.configureAccepted(fd)
            let remote = Socket.describe(storage)
            let client = Socket.clientAddress(remote)
            let loop = loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
            let connection = HTTPConnection(fd: fd, remoteAddress: remote, client: client, server: self, loop: loop)
            let decision = state.withLock { s -> Admission in
                let decision = Admission.forClient(holding: s.clients[client] ?? 0, perClient: configuration.maxConnectionsPerClient,
                                                   client: client, candidates: { Self.candidates(s.connections) })
                if decision != .refuse {
                    s.connections[ObjectIdentifier(connection)] = connection
                    s.clients[client, default: 0] += 1
                }
                return decision
            }
            switch decision {
            case .refuse:
                refused.add(1, ordering: .relaxed)
                close(fd)
                continue
            case .admitEvicting(let key):
                evict(key)
            case .admit, .wait:
                break
            }
            connection.start(onLoopQueue: loop === loops[0])
        }
    }

    private static func candidates(_ connections: [ObjectIdentifier: HTTPConnection]) -> [Admission.Candidate] {
        connections.map { key, c in
            Admission.Candidate(key: key, client: c.client, idle: c.idle.load(ordering: .relaxed),
                                idleSince: c.idleSince.load(ordering: .relaxed))
        }
    }

    private func evict(_ key: ObjectIdentifier) {
        guard let victim = state.withLock({ $0.connections[key] }) else { return }
        evicted.add(1, ordering: .relaxed)
        victim.closeIfIdle()
    }

    private func suspendAccepting() {
        state.withLock { s in
            if !s.acceptSuspended, let source = s.acceptSource?.source {
                source.suspend()
                s.acceptSuspended = true
            }
        }
    }

    /// Called by a connection once its descriptor is closed.
    func connectionClosed(_ connection: HTTPConnection) {
        closedSinceTrim.add(1, ordering: .relaxed)
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.connections.removeValue(forKey: ObjectIdentifier(connection))
            if let n = s.clients[connection.client] { s.clients[connection.client] = n > 1 ? n - 1 : nil }
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
