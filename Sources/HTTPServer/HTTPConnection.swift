import Dispatch
import Glibc
import HTTP1
import Synchronization

/// One client connection: reads and parses requests, hands them to the responder one at a time
/// (so pipelined responses go out in request order, RFC 9112 §9.3.2), writes responses with
/// back-pressure, and enforces the timeouts.
///
/// `@unchecked Sendable`: every mutable property is touched only on `queue`, the serial event-loop
/// queue the connection was assigned to; tasks that produce responses hop back onto it before
/// touching anything.
final class HTTPConnection: @unchecked Sendable {
    enum Phase {
        /// Between requests (keep-alive idle, or before the first byte).
        case idle
        /// Reading a request head; the deadline is absolute from its first byte.
        case head
        /// Reading a body.
        case body(RequestHead, Body)
        /// The responder has the request.
        case processing
        /// A response is being written.
        case writing
        case closed
    }

    /// A response whose last bytes are being written.
    struct PendingCompletion {
        let close: Bool
        let head: RequestHead?
        let status: Int
        let refusal: String?
    }

    enum Body {
        case length(remaining: Int64, collected: [UInt8])
        case chunked(ChunkedDecoder, collected: [UInt8])
    }

    let fd: Int32
    let remoteAddress: String
    /// Strong: a handler task may finish after its server was released (a test that gave up on
    /// it); the server drops the connection when it closes, which breaks the cycle.
    let server: HTTPServer
    let queue: DispatchQueue
    let loop: EventLoop
    /// Whether the loop is watching this connection's socket for input.
    private var watched = false
    private var writeSource: DispatchSourceWrite?
    private var writeSourceActive = false
    private var liveSources = 0
    /// When the current phase times out, in `MonotonicClock` nanoseconds (`UInt64.max`: never).
    /// The server's sweeper reads it from its own queue, hence atomic; one shared timer instead
    /// of a timer source per connection keeps re-arming off the request path.
    let deadline = Atomic<UInt64>(UInt64.max)

    var phase = Phase.idle
    var input: [UInt8] = []
    var readingPaused = false
    /// `advance` is running (see there).
    private var isAdvancing = false
    var peerClosed = false
    var requestsServed = 0
    var shuttingDown = false
    /// After a refusal: reading and discarding until EOF or a short timeout (lingering close).
    var isLingering = false

    // Output state (see HTTPConnection+Writing.swift).
    var output: [UInt8] = []
    var outputOffset = 0
    /// What to do once the output is flushed: finish the response (a value, not a closure: no
    /// allocation per response).
    var afterFlush: PendingCompletion?
    var streamWaiter: CheckedContinuation<Void, any Error>?
    var producer: Task<Void, Never>?
    var handler: Task<Void, Never>?
    /// When the current request's first byte was read (`MonotonicClock`, to the loop's pass).
    var requestStarted: UInt64 = 0
    var responseBodyBytes = 0
    var currentRequestID: String?
    var currentRouteLabel: String?

    init(fd: Int32, remoteAddress: String, server: HTTPServer, loop: EventLoop) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.server = server
        self.loop = loop
        self.queue = loop.queue
    }

    /// Starts serving; `onLoopQueue`: the caller is on this connection's queue already.
    func start(onLoopQueue: Bool = false) {
        // The loop's registration counts as a live source until `close()` ends it.
        liveSources += 1
        if onLoopQueue {
            begin()
        } else {
            queue.async { [self] in begin() }
        }
    }

    private func begin() {
        armTimer(server.timeouts.idle)
        guard !isClosed(phase) else { return }
        watched = true
        loop.watch(self)
    }

    // MARK: reading

    /// Reads what arrived (until a short read; on a hang-up until EOF) and makes progress.
    /// Edge-triggered: the loop reports the socket again only when more arrives, so a short
    /// read means the socket was drained, unless the peer's FIN came with the data (`hungUp`),
    /// which would not be reported again.
    func onReadable(hungUp: Bool) {
        guard !isClosed(phase) else { return }
        var sawEOF = false
        withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 16) { scratch in
            while true {
                let n = read(fd, scratch.baseAddress, scratch.count)
                if n > 0 {
                    input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    if n < scratch.count && !hungUp { return }
                    continue
                }
                if n == 0 { sawEOF = true; return }
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { sawEOF = true }
                return
            }
        }
        if sawEOF { peerClosed = true }
        if isLingering {
            input.removeAll(keepingCapacity: false)
            if sawEOF { close() }
            return
        }
        advance()
        if sawEOF { handlePeerClosed() }
    }

    private func handlePeerClosed() {
        switch phase {
        case .idle, .head, .body:
            // An incomplete request is never handed to the responder (RFC 9112 §6.3 (6)).
            close()
        case .processing:
            // Stop reading; the handler's task is cancelled, its response discarded.
            pauseReading()
            handler?.cancel()
            close()
        case .writing:
            producer?.cancel()
            resumeStreamWaiter(throwing: HTTPServerError(.peerClosed, "client closed the connection"))
            close()
        case .closed:
            break
        }
    }

    func pauseReading() {
        guard !readingPaused, watched else { return }
        loop.unwatch(self)
        readingPaused = true
    }

    func resumeReading() {
        guard readingPaused, watched, !isClosed(phase) else { return }
        readingPaused = false
        loop.watch(self)
    }

    // MARK: the request cycle

    /// Makes as much progress as the buffered input allows.
    ///
    /// Not re-entered: an immediate response completes inside this loop (respond → flush →
    /// `completeResponse`, which calls `advance` for the next pipelined request), and a nested
    /// call per request would grow the stack with the pipeline (a debug build overflowed at 639
    /// pipelined requests); the nested call returns, and this loop goes on from the new phase.
    func advance() {
        if isAdvancing { return }
        isAdvancing = true
        defer { isAdvancing = false }
        while true {
            switch phase {
            case .closed, .writing:
                return
            case .processing:
                if input.count > server.configuration.maxBufferedInput { pauseReading() }
                return
            case .idle:
                guard !input.isEmpty else { return }
                if shuttingDown { close(); return }
                phase = .head
                // The latest pass's time, not a clock read per request: the bytes were read in
                // it or in an earlier one, so the head's deadline is never later than from its
                // first byte.
                requestStarted = loop.now
                armTimer(server.timeouts.header, from: requestStarted)
            case .head:
                let result = input.withUnsafeBytes { RequestParser.parse($0, limits: server.configuration.limits) }
                switch result {
                case .incomplete:
                    if peerClosed { close() }
                    return
                case .invalid(let error):
                    refuse(error.status, error.reason, head: nil)
                    return
                case .complete(let head, let consumed):
                    if consumed == input.count { input.removeAll(keepingCapacity: true) } else { input.removeFirst(consumed) }
                    startBody(head)
                }
            case .body(let head, var body):
                switch body {
                case .length(let remaining, var collected):
                    let take = Int(min(remaining, Int64(input.count)))
                    collected.append(contentsOf: input[0..<take])
                    input.removeFirst(take)
                    if Int64(take) == remaining {
                        dispatch(HTTPRequest(head: head, body: collected, remoteAddress: remoteAddress))
                    } else {
                        phase = .body(head, .length(remaining: remaining - Int64(take), collected: collected))
                        armTimer(server.timeouts.body)
                        return
                    }
                case .chunked(var decoder, var collected):
                    let (consumed, status) = input.withUnsafeBytes { decoder.decode($0, into: &collected) }
                    input.removeFirst(consumed)
                    switch status {
                    case .needMore:
                        body = .chunked(decoder, collected: collected)
                        phase = .body(head, body)
                        armTimer(server.timeouts.body)
                        return
                    case .invalid(let error):
                        refuse(error.status, error.reason, head: head)
                        return
                    case .done:
                        dispatch(HTTPRequest(head: head, body: collected, trailers: decoder.trailers, remoteAddress: remoteAddress))
                    }
                }
            }
        }
    }

    private func startBody(_ head: RequestHead) {
        // Without a body there is no limit to look up (most requests: GET, HEAD).
        if case .none = head.framing {
            dispatch(HTTPRequest(head: head, remoteAddress: remoteAddress))
            return
        }
        let limit = server.responder.bodyLimit(for: head)
        if head.framing.exceeds(limit) {
            // Decided from Content-Length before reading the body; no 100 Continue is sent.
            refuse(413, "body_too_large", head: head)
            return
        }
        sendContinueIfExpected(head, bodyBuffered: !input.isEmpty)
        if case .contentLength(let n) = head.framing {
            phase = .body(head, .length(remaining: n, collected: []))
        } else {
            var limits = server.configuration.limits
            limits.body = limit
            phase = .body(head, .chunked(ChunkedDecoder(limits: limits, bodyLimit: limit), collected: []))
        }
        armTimer(server.timeouts.body)
    }

    /// RFC 9110 §10.1.1: send 100 Continue before reading the body (unless it already arrived).
    private func sendContinueIfExpected(_ head: RequestHead, bodyBuffered: Bool) {
        guard head.expectContinue, !bodyBuffered else { return }
        _ = ResponseSerializer.continueLine.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Hands a complete request to the responder.
    private func dispatch(_ request: HTTPRequest) {
        phase = .processing
        disarmTimer()
        if let response = server.responder.immediateResponse(to: request) {
            respond(response, to: request.head)
            return
        }
        let responder = server.responder
        // A started response identifies its request by the count of responses sent before it:
        // a reply that arrives after the connection moved on (or closed) is dropped.
        let serial = requestsServed
        let started = responder.startResponse(to: request) { [self] response in
            queue.async { [self] in
                guard case .processing = phase, requestsServed == serial else { return }
                respond(response, to: request.head)
            }
        }
        if started { return }
        handler = Task { [self] in
            let response = await responder.respond(to: request)
            queue.async { [self] in
                handler = nil
                guard case .processing = phase else { return }
                respond(response, to: request.head)
            }
        }
    }

    /// Answers with an error the core decided itself, then closes (conformance principle 3).
    func refuse(_ status: Int, _ reason: String, head: RequestHead?) {
        var response = server.responder.errorResponse(status: status, reason: reason, head: head)
        response.headers.remove("Connection")
        respond(response, to: head, forceClose: true, refusal: reason)
    }

    // MARK: timers

    /// Times the current phase out `nanoseconds` after `now`.
    func armTimer(_ nanoseconds: UInt64, from now: UInt64 = MonotonicClock.now()) {
        let (sum, overflow) = now.addingReportingOverflow(nanoseconds)
        deadline.store(overflow ? UInt64.max : sum, ordering: .relaxed)
    }

    func disarmTimer() {
        deadline.store(UInt64.max, ordering: .relaxed)
    }

    /// Called by the server's sweeper (on this connection's queue) when the deadline looked past.
    func checkTimeout() {
        guard deadline.load(ordering: .relaxed) <= MonotonicClock.now() else { return }
        disarmTimer()
        onTimeout()
    }

    private func onTimeout() {
        switch phase {
        case .idle:
            // No bytes of a next request: close without a response (no 408).
            close()
        case .head, .body:
            refuse(408, "request_timeout", head: nil)
        case .writing where isLingering:
            close()
        case .writing:
            // The client stopped reading: write stall.
            producer?.cancel()
            resumeStreamWaiter(throwing: HTTPServerError(.peerClosed, "write timeout"))
            close()
        case .processing, .closed:
            break
        }
    }

    // MARK: closing

    /// Graceful shutdown: close now if idle, else after the current response.
    func beginShutdown() {
        queue.async { [self] in
            shuttingDown = true
            if case .idle = phase, input.isEmpty { close() }
        }
    }

    func forceClose() {
        queue.async { [self] in
            handler?.cancel()
            producer?.cancel()
            resumeStreamWaiter(throwing: HTTPServerError(.shuttingDown, "server shutting down"))
            close()
        }
    }

    func isClosed(_ p: Phase) -> Bool {
        if case .closed = p { return true }
        return false
    }

    /// Stops every source; the descriptor is closed once all of them are cancelled.
    func close() {
        if isClosed(phase) { return }
        phase = .closed
        input = []
        output = []
        handler?.cancel()
        producer?.cancel()
        resumeStreamWaiter(throwing: HTTPServerError(.peerClosed, "connection closed"))
        if let writeSource {
            if !writeSourceActive { writeSource.resume() }
            writeSource.cancel()
        }
        disarmTimer()
        // The loop stops watching at once; that ends the read side (the socket itself closes
        // when the write source, if any, has been cancelled too).
        if watched {
            watched = false
            loop.unwatch(self)
        }
        sourceCancelled()
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 {
            Glibc.close(fd)
            server.connectionClosed(self)
        }
    }

    // MARK: write source plumbing (used by HTTPConnection+Writing)

    func waitForWritable() {
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

    func stopWaitingForWritable() {
        if writeSourceActive, let writeSource {
            writeSourceActive = false
            writeSource.suspend()
        }
    }
}
