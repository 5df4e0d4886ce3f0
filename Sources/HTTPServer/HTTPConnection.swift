import Dispatch
import Glibc
import HTTP1
import Synchronization

/// One client connection: the socket shell of a `ConnectionStateMachine`. It reads into the
/// machine, writes what the machine has to send, runs handlers and producers, and carries out
/// every other action; what happens when is the machine's decision alone.
///
/// `@unchecked Sendable`: every mutable property is touched only on `queue`, the serial event-loop
/// queue the connection was assigned to; tasks that produce responses hop back onto it before
/// touching anything.
final class HTTPConnection: @unchecked Sendable {
    typealias Action = ConnectionStateMachine.Action

    let fd: Int32
    let remoteAddress: String
    /// The client's address without the port (per-client limits).
    let client: String
    /// Strong: a handler task may finish after its server was released (a test that gave up on
    /// it); the server drops the connection when it closes, which breaks the cycle.
    let server: HTTPServer
    let queue: DispatchQueue
    let loop: EventLoop
    /// Touched only on `queue`, one access at a time (serially, never overlapping: the shell
    /// calls the machine and acts on what it returns), so the dynamic exclusivity check of a
    /// class property — a runtime call and a thread-local lookup on every access, several per
    /// request — is left out.
    @exclusivity(unchecked) var machine: ConnectionStateMachine
    /// The machine's deadline, for the server's sweeper on its own queue (one shared timer
    /// instead of a timer source per connection keeps re-arming off the request path).
    let deadline = Atomic<UInt64>(UInt64.max)
    /// Whether the connection is between requests with nothing buffered, and since when (it
    /// began, or its last response finished; `MonotonicClock`): the oldest idle connection is
    /// the first to go when the server is full. Published for the accepting queue.
    let idle = Atomic<Bool>(true)
    let idleSince = Atomic<UInt64>(0)
    /// Whether the loop is watching this connection's socket for input.
    private var watched = false
    private var writeSource: DispatchSourceWrite?
    private var writeSourceActive = false
    private var liveSources = 0
    private var handler: Task<Void, Never>?
    private var producer: Task<Void, Never>?
    /// The producer's `write` waiting for `resumeProducer`.
    private var producerWaiter: CheckedContinuation<Void, any Error>?
    /// The sending side is shut down; input is read and discarded (a lingering close).
    private var lingering = false
    /// The socket is closed, or closes once its write source is cancelled.
    private var finished = false

    init(fd: Int32, remoteAddress: String, client: String, server: HTTPServer, loop: EventLoop) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.client = client
        self.server = server
        self.loop = loop
        self.queue = loop.queue
        let now = MonotonicClock.now()
        machine = ConnectionStateMachine(configuration: server.machineConfiguration, remoteAddress: remoteAddress, now: now)
        deadline.store(machine.deadline, ordering: .relaxed)
        idleSince.store(now, ordering: .relaxed)
    }

    /// Starts serving; `onLoopQueue`: the caller is on this connection's queue already.
    func start(onLoopQueue: Bool = false) {
        // The loop's registration counts as a live source until the socket closes.
        liveSources += 1
        if onLoopQueue {
            begin()
        } else {
            queue.async { [self] in begin() }
        }
    }

    private func begin() {
        guard !finished else { return }
        watched = true
        loop.watch(self)
    }

    /// Closes the connection if it is still idle (the server needs its slot).
    func closeIfIdle() {
        queue.async { [self] in
            guard !finished, machine.isIdle else { return }
            run(machine.abort(now: loop.refreshClock()))
        }
    }

    // MARK: events

    /// Reads what arrived and makes progress. Edge-triggered: the loop reports the socket again
    /// only when more arrives, so it is read until the kernel has no more (or the peer's end,
    /// which would not be reported again). One round reads at most 256 KiB; when more is
    /// waiting, the next round is queued behind the loop's other connections (a client that
    /// sends without pause does not hold the loop). When the machine wants no more input it
    /// pauses reading, and re-registering the socket later reports what is left.
    func onReadable(hungUp: Bool) {
        guard !finished else { return }
        var sawEOF = false
        var drained = false
        var total = 0
        withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 16) { scratch in
            while total < 256 * 1024 && inPlace({ $0.wantsInput }) {
                let n = read(fd, scratch.baseAddress, scratch.count)
                if n > 0 {
                    machine.received(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    total += n
                    if n < scratch.count && !hungUp { drained = true; return }
                    continue
                }
                if n == 0 { sawEOF = true; return }
                if errno == EINTR { continue }
                // EAGAIN: drained. Anything else (ECONNRESET): the peer is gone.
                if errno != EAGAIN && errno != EWOULDBLOCK { sawEOF = true }
                drained = true
                return
            }
        }
        if sawEOF { machine.peerClosed() }
        run(machine.next(now: loop.now))
        if !sawEOF && !drained && !finished && !machine.readingPaused && inPlace({ $0.wantsInput }) {
            queue.async { [self] in onReadable(hungUp: hungUp) }
        }
    }

    /// Called by the server's sweeper (on this connection's queue) when the deadline looked past.
    func checkTimeout() {
        let now = loop.refreshClock()
        guard machine.deadline <= now else { return }
        run(machine.timerFired(now: now))
    }

    /// Graceful shutdown: close now if idle, else after the current response.
    func beginShutdown() {
        queue.async { [self] in run(machine.shutdownRequested(now: loop.refreshClock())) }
    }

    /// Closes at once (the drain timeout ran out, or the server needs the slot).
    func forceClose() {
        queue.async { [self] in run(machine.abort(now: loop.refreshClock())) }
    }

    // MARK: carrying out actions

    /// Carries out `first` and whatever follows, until the machine waits for an event.
    func run(_ first: Action) {
        var action = first
        while true {
            switch action {
            case .wait:
                publishDeadline()
                return
            case .route:
                guard let head = machine.head else { action = machine.next(now: loop.now); continue }
                action = machine.routed(server.responder.route(head), now: loop.now)
            case .dispatch:
                guard let request = machine.takeRequest() else { action = machine.next(now: loop.now); continue }
                action = dispatch(request)
            case .refuse:
                let response = server.responder.errorResponse(status: machine.refusalStatus, reason: machine.refusal ?? "", head: machine.head)
                action = machine.respond(response, date: server.dates.current, now: loop.now)
            case .write:
                action = machine.writeFinished(flush(), now: loop.refreshClock())
            case .startProducer:
                if let produce = machine.takeProducer() { startProducer(produce) }
                action = machine.next(now: loop.now)
            case .resumeProducer:
                producerWaiter?.resume()
                producerWaiter = nil
                action = machine.next(now: loop.now)
            case .stopProducer:
                producerWaiter?.resume(throwing: HTTPServerError(.peerClosed, "the response cannot be completed"))
                producerWaiter = nil
                action = machine.next(now: loop.now)
            case .responded:
                if var record = machine.takeRecord() {
                    record.loop = loop.index
                    server.responder.didRespond(record)
                }
                idleSince.store(loop.now, ordering: .relaxed)
                action = machine.next(now: loop.now)
            case .pauseReading:
                if watched { loop.unwatch(self) }
                action = machine.next(now: loop.now)
            case .resumeReading:
                if watched { loop.watch(self) }
                action = machine.next(now: loop.now)
            case .close(let linger):
                if linger {
                    closeWriting()
                    action = machine.next(now: loop.now)
                } else {
                    finishClose()
                    return
                }
            case .fail:
                server.responder.connectionFailed(machine.failure ?? "illegal transition")
                finishClose()
                return
            }
        }
    }

    /// What the server's sweeper and accepting queue read: the deadline, and whether idle.
    private func publishDeadline() {
        let (due, isIdle) = inPlace { ($0.deadline, $0.isIdle) }
        if deadline.load(ordering: .relaxed) != due { deadline.store(due, ordering: .relaxed) }
        if idle.load(ordering: .relaxed) != isIdle { idle.store(isIdle, ordering: .relaxed) }
    }

    /// Reads the machine where it lies. A computed property read straight off the class
    /// property copied the whole machine first (every reference in it retained and released:
    /// a tenth of a keep-alive request's user time, docs/measurements.md).
    @inline(__always)
    private func inPlace<T>(_ read: (inout ConnectionStateMachine) -> T) -> T {
        read(&machine)
    }

    /// Hands a complete request to the application; the next action when it answered at once.
    private func dispatch(_ request: HTTPRequest) -> Action {
        let responder = server.responder
        if let response = responder.immediateResponse(to: request) {
            return machine.respond(response, date: server.dates.current, now: loop.now)
        }
        // A started response identifies its request by the count of responses begun before
        // it: a reply that arrives after the connection moved on (or closed) is dropped.
        let serial = machine.requestsServed
        let started = responder.startResponse(to: request) { [self] response in
            queue.async { [self] in
                guard machine.requestsServed == serial else { return }
                run(machine.respond(response, date: server.dates.current, now: loop.refreshClock()))
            }
        }
        if started { return machine.next(now: loop.now) }
        handler = Task { [self] in
            let response = await responder.respond(to: request)
            queue.async { [self] in
                handler = nil
                guard machine.requestsServed == serial else { return }
                run(machine.respond(response, date: server.dates.current, now: loop.refreshClock()))
            }
        }
        return machine.next(now: loop.now)
    }

    /// Writes pending output until done or the socket is full.
    private func flush() -> ConnectionStateMachine.WriteResult {
        let fd = fd
        let result = machine.writeOutput { bytes in
            let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n > 0 { return .sent(n) }
            if n < 0 && errno == EINTR { return .interrupted }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .full }
            // EPIPE, ECONNRESET: the client is gone.
            return .failed
        }
        switch result {
        case .wouldBlock: waitForWritable()
        case .complete: stopWaitingForWritable()
        case .failed: break
        }
        return result
    }

    private func onWritable() {
        run(machine.writable(now: loop.refreshClock()))
    }

    // MARK: streamed bodies

    private func startProducer(_ produce: @escaping HTTPResponse.Producer) {
        let writer = ConnectionBodyWriter(connection: self)
        producer = Task { [self] in
            let failed: Bool
            do {
                try await produce(writer)
                failed = false
            } catch {
                failed = true
            }
            queue.async { [self] in
                producer = nil
                run(machine.streamEnded(failed: failed, now: loop.refreshClock()))
            }
        }
    }

    /// A body part from the producer (on `queue`); `continuation` returns when the machine says so.
    func bodyPart(_ bytes: [UInt8], continuation: CheckedContinuation<Void, any Error>) {
        guard !finished, !lingering, machine.isStreaming else {
            continuation.resume(throwing: HTTPServerError(.peerClosed, "client closed the connection"))
            return
        }
        producerWaiter = continuation
        run(machine.bodyPart(bytes, now: loop.refreshClock()))
    }

    // MARK: closing

    /// Lingering close: the response is out; the sending side shuts down while input is read
    /// and discarded (the machine decides for how long).
    private func closeWriting() {
        cancelWork()
        if let writeSource, writeSourceActive {
            writeSourceActive = false
            writeSource.suspend()
        }
        shutdown(fd, Int32(SHUT_WR))
        lingering = true
    }

    /// Stops the handler and the producer; a waiting `write` throws.
    private func cancelWork() {
        handler?.cancel()
        handler = nil
        producer?.cancel()
        producerWaiter?.resume(throwing: HTTPServerError(.peerClosed, "connection closed"))
        producerWaiter = nil
    }

    /// Stops every source; the descriptor is closed once all of them are cancelled.
    private func finishClose() {
        guard !finished else { return }
        finished = true
        cancelWork()
        deadline.store(UInt64.max, ordering: .relaxed)
        idle.store(false, ordering: .relaxed)
        if let writeSource {
            if !writeSourceActive { writeSource.resume() }
            writeSourceActive = true
            writeSource.cancel()
            self.writeSource = nil
        }
        // The loop stops watching at once; that ends the read side (the socket itself closes
        // when the write source, if any, has been cancelled too).
        if watched {
            watched = false
            loop.unwatch(self)
        }
        // The loop's registration ends here.
        sourceCancelled()
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 {
            Glibc.close(fd)
            server.connectionClosed(self)
        }
    }

    // MARK: write source plumbing

    private func waitForWritable() {
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [self] in onWritable() }
            source.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            writeSource = source
            writeSourceActive = true
            source.resume()
            return
        }
        if !writeSourceActive, let writeSource {
            writeSourceActive = true
            writeSource.resume()
        }
    }

    private func stopWaitingForWritable() {
        if writeSourceActive, let writeSource {
            writeSourceActive = false
            writeSource.suspend()
        }
    }
}
