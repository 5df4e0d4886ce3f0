/// The life of one HTTP/1.1 connection as a value: events in, actions out, no sockets, no
/// Dispatch, no clock (every event that needs the time is given it). The socket shell
/// (`HTTPConnection`) only carries out what it decides. Modelled on Hummingbird 2's connection
/// state handler and postgres-nio's state machines (docs/architecture.md).
///
/// Requests on a connection are answered one at a time, in order (RFC 9112 §9.3.2): while one is
/// processed or its response written, further pipelined input is buffered up to
/// `maxBufferedInput`, then reading pauses. An incomplete request is never handed to the
/// application (RFC 9112 §6.3 (6)). A request followed by the peer's end of sending (a
/// half-close) is still answered. The core's own refusals (400, 408, 413, 431, …) close the
/// connection after the response, lingering: the rest of the request is read and discarded for
/// `lingerTimeout`, so that the kernel does not answer unread input with a reset that could
/// destroy the response.
///
/// Events: `received` and `peerClosed` (input), `routed`, `respond` (the application),
/// `writeFinished` and `writable` (output), `bodyPart` and `streamEnded` (a streamed body),
/// `timerFired`, `shutdownRequested`, `abort`. An event a state has no transition for is a bug:
/// it traps in debug builds and closes the connection with `Action.fail` in release builds.
public struct ConnectionStateMachine: Sendable {
    /// Where the connection is. The data of a phase lives in stored properties beside it
    /// (`head`, `route`, `reader`, `exchange`, …), not in associated values: the phase is
    /// looked at several times per request, and an enum with payloads is copied, retained
    /// and released each time (a fifth of a keep-alive request's runtime calls when it was).
    @usableFromInline
    enum Phase: UInt8, Sendable {
        /// Between requests: keep-alive idle, or before the first byte.
        case idle
        /// Reading a request head; the timer runs from its first byte.
        case head
        /// `head` is complete; the application is asked for its route.
        case routing
        /// Reading the body of a routed request (`route`, `reader`).
        case body
        /// The application has the request.
        case processing
        /// The core refused the request (`refusal`); the application is asked for the error response.
        case refusing
        /// A response from memory is being written (`exchange`).
        case sending
        /// A streamed response: its producer is running, or its end is being written.
        case streaming
        /// The response is out; the connection closes (`closeLingering` or not) at the next step.
        case closing
        /// The sending side is shut down; input is read and discarded.
        case lingering
        case closed

        /// For messages.
        var name: String { String(describing: self) }
    }

    /// A body being read.
    struct BodyReader: Sendable {
        var collected: [UInt8] = []
        /// Bytes still to come (Content-Length framing).
        var remaining: Int64 = 0
        /// Chunked framing.
        var decoder: ChunkedDecoder?
    }

    public let configuration: Configuration
    let remoteAddress: String
    @usableFromInline var phase = Phase.idle
    /// The current request's head (from `routing` until its response is out).
    public internal(set) var head: RequestHead?
    /// The route of a request whose body is read.
    var route = RequestRoute(bodyLimit: 0)
    var reader = BodyReader()
    /// Why the core refuses the current request: the reason, and the status (`refuse`).
    public internal(set) var refusal: String?
    public internal(set) var refusalStatus = 0
    /// What the last `dispatch`, `startProducer`, `responded` and `fail` actions hand over.
    var pendingRequest: HTTPRequest?
    var pendingProducer: HTTPResponse.Producer?
    var pendingRecord: HTTPResponseRecord?
    /// Why the machine failed (`fail`).
    public internal(set) var failure: String?
    /// The current response.
    var exchange = Exchange()
    /// `closing` with a lingering close.
    var closeLingering = false
    /// Bytes received and not consumed yet: `input[inputStart...]` (an offset, not a
    /// `removeFirst` per request: a pipelined batch would be moved once per request).
    @usableFromInline var input: [UInt8] = []
    @usableFromInline var inputStart = 0
    /// Where the current head ends, found once however it arrives.
    var scanner = HeadScanner()
    /// Response bytes not written yet: `output[outputOffset...]`.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The last write found the socket full; no `write` until `writable`.
    var writeBlocked = false
    /// When the timer fires (`UInt64.max`: never), and why.
    public internal(set) var deadline = UInt64.max
    public internal(set) var timer: TimerKind?
    /// The peer will send nothing more (its FIN, or it is gone).
    var peerFinished = false
    /// Writing failed: the peer is gone for good (no lingering).
    var peerGone = false
    var shuttingDown = false
    /// Whether the shell was told to stop watching the socket for input.
    public internal(set) var readingPaused = false
    /// Responses begun on this connection.
    public internal(set) var requestsServed = 0
    /// When the current request's first byte arrived.
    var requestStarted: UInt64 = 0

    public init(configuration: Configuration, remoteAddress: String = "", now: UInt64) {
        self.configuration = configuration
        self.remoteAddress = remoteAddress
        arm(.idle, now)
    }

    /// Whether the connection is closed for good.
    public var isClosed: Bool { phase == .closed }

    /// Between requests with nothing of a next one buffered (a connection the server may close
    /// to admit a new one when it is full). Inlinable, like `wantsInput`: the shell reads them
    /// after every request, and a call across modules copied the whole machine (every
    /// reference in it retained and released) to read two fields.
    @inlinable public var isIdle: Bool { phase == .idle && inputStart == input.count }

    /// Whether a streamed response's producer may still hand over body parts.
    public var isStreaming: Bool { phase == .streaming && !exchange.producerDone }

    /// Whether the sending side is shut down and input is discarded.
    public var isLingering: Bool { phase == .lingering }

    // MARK: input events

    /// Bytes read from the socket (discarded once the connection is lingering or closed).
    public mutating func received(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .lingering, .closing, .closed: return
        default: break
        }
        if inputStart > 0 && inputStart == input.count {
            input.removeAll(keepingCapacity: true)
            inputStart = 0
        } else if inputStart > 4096 && inputStart * 2 > input.count {
            // Compact before growing: what was consumed is at least half of the buffer.
            // (The scanner's offsets are from `inputStart`: they stay valid.)
            input.removeFirst(inputStart)
            inputStart = 0
        }
        input.append(contentsOf: bytes)
    }

    /// Whether the shell should keep reading now: false once enough input is buffered that
    /// the machine will not consume it soon (the shell then stops, and `next` pauses reading).
    @inlinable public var wantsInput: Bool {
        switch phase {
        case .idle, .head, .routing, .body, .lingering: return true
        case .processing, .refusing, .sending, .streaming: return input.count - inputStart <= configuration.maxBufferedInput
        case .closing, .closed: return false
        }
    }

    /// The peer ended its sending side (read returned 0) or reset the connection.
    public mutating func peerClosed() {
        peerFinished = true
    }

    /// What to do next, from the state alone.
    public mutating func next(now: UInt64) -> Action {
        switch phase {
        case .closed:
            return .wait
        case .closing:
            return close(linger: closeLingering && !peerFinished && !peerGone, now)
        case .lingering:
            input = []
            inputStart = 0
            if peerFinished { return close(linger: false, now) }
            if readingPaused {
                readingPaused = false
                return .resumeReading
            }
            return .wait
        default:
            break
        }
        if !writeBlocked && outputOffset < output.count { return .write }
        let wanted = wantsInput
        if wanted == readingPaused {
            readingPaused = !wanted
            return wanted ? .resumeReading : .pauseReading
        }
        switch phase {
        case .idle:
            guard inputStart < input.count else {
                // Nothing of a next request: the peer's end or a shutdown ends the connection
                // without a response (no 408 for a request that never began).
                if peerFinished || shuttingDown { return close(linger: false, now) }
                return .wait
            }
            if shuttingDown { return close(linger: false, now) }
            phase = .head
            requestStarted = now
            arm(.head, now)
            return readHead(now)
        case .head:
            return readHead(now)
        case .body:
            return readBody(now)
        case .sending, .streaming:
            return progress(now)
        case .routing, .processing, .refusing, .closing, .lingering, .closed:
            return .wait
        }
    }

    // MARK: reading a request

    /// Parses the head in `input`; most arrive whole and are parsed once, without the scanner.
    mutating func readHead(_ now: UInt64) -> Action {
        let limits = configuration.limits
        let start = inputStart
        let result: RequestParser.Result = input.withUnsafeBytes { all in
            let buffer = UnsafeRawBufferPointer(rebasing: all[start...])
            guard scanner.isFresh else {
                switch scanner.scan(buffer, limits: limits) {
                case .needMore: return .incomplete
                case .invalid(let error): return .invalid(error)
                case .complete: return RequestParser.parse(buffer, limits: limits)
                }
            }
            let parsed = RequestParser.parse(buffer, limits: limits)
            // From now on the scanner resumes where this parse ended instead of parsing again
            // (it agrees with the parser on every prefix: `.needMore` here).
            if case .incomplete = parsed { _ = scanner.scan(buffer, limits: limits) }
            return parsed
        }
        switch result {
        case .incomplete:
            if peerFinished { return close(linger: false, now) }
            return .wait
        case .invalid(let error):
            return refuse(error.status, error.reason, head: nil)
        case .complete(let parsed, let consumed):
            inputStart += consumed
            scanner = HeadScanner()
            head = parsed
            phase = .routing
            return .route
        }
    }

    /// The application's route for the head just parsed.
    public mutating func routed(_ route: RequestRoute, now: UInt64) -> Action {
        guard phase == .routing, let head else { return illegal("routed") }
        switch head.framing {
        case .none:
            return dispatch(HTTPRequest(head: head, remoteAddress: remoteAddress, route: route))
        case .contentLength, .chunked:
            if head.framing.exceeds(route.bodyLimit) {
                // Decided from Content-Length before reading the body; no 100 Continue is sent.
                return refuse(413, "body_too_large", head: head)
            }
            // RFC 9110 §10.1.1: 100 Continue before reading the body, unless it already arrived.
            if head.expectContinue && inputStart == input.count {
                output.append(contentsOf: ResponseSerializer.continueLine)
            }
            reader = BodyReader()
            self.route = route
            if case .contentLength(let n) = head.framing {
                reader.remaining = n
            } else {
                var limits = configuration.limits
                limits.body = route.bodyLimit
                reader.decoder = ChunkedDecoder(limits: limits, bodyLimit: route.bodyLimit)
            }
            phase = .body
            arm(.body, now)
            return next(now: now)
        }
    }

    /// Takes what `input` holds of the body; dispatches the request once it is complete.
    mutating func readBody(_ now: UInt64) -> Action {
        guard let head else { return illegal("body without a head") }
        let available = input.count - inputStart
        if var decoder = reader.decoder {
            let start = inputStart
            let (consumed, status) = input.withUnsafeBytes {
                decoder.decode(UnsafeRawBufferPointer(rebasing: $0[start...]), into: &reader.collected)
            }
            inputStart += consumed
            switch status {
            case .needMore:
                reader.decoder = decoder
            case .invalid(let error):
                return refuse(error.status, error.reason, head: head)
            case .done:
                let body = reader.collected
                reader = BodyReader()
                return dispatch(HTTPRequest(head: head, body: body, trailers: decoder.trailers, remoteAddress: remoteAddress, route: route))
            }
        } else {
            let take = Int(min(reader.remaining, Int64(available)))
            reader.collected.append(contentsOf: input[inputStart..<(inputStart + take)])
            inputStart += take
            reader.remaining -= Int64(take)
            if reader.remaining == 0 {
                let body = reader.collected
                reader = BodyReader()
                return dispatch(HTTPRequest(head: head, body: body, remoteAddress: remoteAddress, route: route))
            }
        }
        if peerFinished { return close(linger: false, now) }
        // Between two reads of the body.
        if available > 0 { arm(.body, now) }
        return .wait
    }

    mutating func dispatch(_ request: HTTPRequest) -> Action {
        phase = .processing
        route = RequestRoute(bodyLimit: 0)
        pendingRequest = request
        disarm()
        return .dispatch
    }

    /// The request of the last `dispatch` action.
    public mutating func takeRequest() -> HTTPRequest? {
        pendingRequest.take()
    }

    /// The core refuses the request itself (conformance principle 3: one error response, then close).
    mutating func refuse(_ status: Int, _ reason: String, head: RequestHead?) -> Action {
        phase = .refusing
        self.head = head
        refusal = reason
        refusalStatus = status
        reader = BodyReader()
        disarm()
        return .refuse
    }

    // MARK: timers, shutdown, closing

    mutating func arm(_ kind: TimerKind, _ now: UInt64) {
        let timeout: UInt64
        switch kind {
        case .idle: timeout = configuration.idleTimeout
        case .head: timeout = configuration.headerTimeout
        case .body: timeout = configuration.bodyTimeout
        case .write: timeout = configuration.writeTimeout
        case .linger: timeout = configuration.lingerTimeout
        }
        let (sum, overflow) = now.addingReportingOverflow(timeout)
        deadline = overflow ? UInt64.max : sum
        timer = kind
    }

    mutating func disarm() {
        deadline = UInt64.max
        timer = nil
    }

    /// The timer's deadline passed (a check earlier than `deadline` does nothing).
    public mutating func timerFired(now: UInt64) -> Action {
        guard let kind = timer, now >= deadline else { return .wait }
        disarm()
        switch kind {
        case .idle, .write, .linger:
            // Idle: no byte of a next request, closed without a response (no 408). Write: the
            // peer stopped reading. Linger: the rest of a refused request did not end in time.
            return close(linger: false, now)
        case .head, .body:
            return refuse(408, "request_timeout", head: nil)
        }
    }

    /// Graceful shutdown: an idle connection closes now, a busy one after its response (which
    /// carries `Connection: close`).
    public mutating func shutdownRequested(now: UInt64) -> Action {
        shuttingDown = true
        return next(now: now)
    }

    /// Closes at once, whatever the state (the drain timeout of a shutdown ran out).
    public mutating func abort(now: UInt64) -> Action {
        if isClosed { return .wait }
        return close(linger: false, now)
    }

    mutating func close(linger: Bool, _ now: UInt64) -> Action {
        input = []
        inputStart = 0
        head = nil
        reader = BodyReader()
        exchange = Exchange()
        if linger {
            output = []
            outputOffset = 0
            phase = .lingering
            arm(.linger, now)
            return .close(linger: true)
        }
        phase = .closed
        output = []
        outputOffset = 0
        disarm()
        return .close(linger: false)
    }

    /// An event this state has no transition for.
    mutating func illegal(_ event: String) -> Action {
        let reason = "illegal transition: \(event) in \(phase.name)"
        if configuration.trapsIllegalTransitions { preconditionFailure(reason) }
        _ = close(linger: false, 0)
        failure = reason
        return .fail
    }
}
