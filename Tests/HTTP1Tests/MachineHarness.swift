import HTTP1
import Testing

/// A fake socket shell for `ConnectionStateMachine`: it carries out actions the way
/// `HTTPConnection` does, against an in-memory "socket" and a scripted application, and keeps a
/// trace. No sockets, no Dispatch, a clock the test moves.
struct MachineHarness {
    typealias Action = ConnectionStateMachine.Action

    var machine: ConnectionStateMachine
    var now: UInt64 = 1_000_000_000
    /// What the peer received.
    var sent: [UInt8] = []
    /// How many more bytes the socket takes before it is full (`nil`: unlimited).
    var room: Int?
    /// The peer is gone: sending fails.
    var peerGone = false
    /// Every action carried out, in order.
    var trace: [Action] = []
    /// Requests handed to the application.
    var dispatched: [HTTPRequest] = []
    /// Records of finished responses.
    var records: [HTTPResponseRecord] = []
    /// The producer of a streamed response, once started.
    var producer: HTTPResponse.Producer?
    /// The producer's state as the shell sees it: it waits for `resumeProducer`, or was stopped.
    var producerWaiting = false
    var producerStopped = false
    var readingPaused = false
    /// `close(linger:)` carried out: nil while open.
    var closed: Bool?
    var failure: String?
    /// The body limit `route` grants.
    var bodyLimit = 1024
    /// Answers for dispatched requests; nil: the test answers later with `respond`.
    var answer: ((HTTPRequest) -> HTTPResponse?)? = { _ in HTTPResponse(status: 200, contentType: "text/plain", body: Array("ok".utf8)) }

    init(_ configure: (inout ConnectionStateMachine.Configuration) -> Void = { _ in }) {
        var configuration = ConnectionStateMachine.Configuration()
        configuration.trapsIllegalTransitions = false
        configure(&configuration)
        machine = ConnectionStateMachine(configuration: configuration, remoteAddress: "127.0.0.1:5000", now: now)
    }

    /// The bytes the peer received, as text, and forgets them.
    mutating func takeSent() -> String {
        defer { sent = [] }
        return String(decoding: sent, as: UTF8.self)
    }

    // MARK: events, as the shell delivers them

    mutating func receive(_ text: String) {
        Array(text.utf8).withUnsafeBytes { machine.received($0) }
        run(machine.next(now: now))
    }

    mutating func peerCloses() {
        machine.peerClosed()
        run(machine.next(now: now))
    }

    mutating func respond(_ response: HTTPResponse) {
        run(machine.respond(response, date: "Wed, 02 Dec 2026 12:00:00 GMT", now: now))
    }

    mutating func writable(room: Int? = nil) {
        self.room = room
        run(machine.writable(now: now))
    }

    mutating func advance(by nanoseconds: UInt64) {
        now += nanoseconds
        run(machine.timerFired(now: now))
    }

    mutating func bodyPart(_ bytes: [UInt8]) {
        producerWaiting = true
        run(machine.bodyPart(bytes, now: now))
    }

    mutating func streamEnded(failed: Bool = false) {
        run(machine.streamEnded(failed: failed, now: now))
    }

    mutating func shutdown() {
        run(machine.shutdownRequested(now: now))
    }

    // MARK: carrying out actions

    mutating func run(_ first: Action) {
        var action = first
        while true {
            trace.append(action)
            switch action {
            case .wait:
                return
            case .route:
                guard machine.head != nil else {
                    Issue.record("route without a head")
                    return
                }
                action = machine.routed(RequestRoute(bodyLimit: bodyLimit, requestID: "rid"), now: now)
            case .dispatch:
                guard let request = machine.takeRequest() else {
                    Issue.record("dispatch without a request")
                    return
                }
                dispatched.append(request)
                if let response = answer?(request) {
                    var r = response
                    r.requestID = request.route.requestID
                    action = machine.respond(r, date: "Wed, 02 Dec 2026 12:00:00 GMT", now: now)
                } else {
                    action = machine.next(now: now)
                }
            case .refuse:
                let status = machine.refusalStatus
                let reason = machine.refusal ?? ""
                var response = HTTPResponse(status: status, contentType: "application/problem+json", body: Array(reason.utf8))
                response.headers.set("Connection", "keep-alive")  // the core must replace it
                action = machine.respond(response, date: "Wed, 02 Dec 2026 12:00:00 GMT", now: now)
            case .write:
                action = machine.writeFinished(write(), now: now)
            case .startProducer:
                producer = machine.takeProducer()
                action = machine.next(now: now)
            case .resumeProducer:
                producerWaiting = false
                action = machine.next(now: now)
            case .stopProducer:
                producerWaiting = false
                producerStopped = true
                action = machine.next(now: now)
            case .responded:
                if let record = machine.takeRecord() { records.append(record) }
                action = machine.next(now: now)
            case .pauseReading:
                readingPaused = true
                action = machine.next(now: now)
            case .resumeReading:
                readingPaused = false
                action = machine.next(now: now)
            case .close(let linger):
                closed = linger
                if linger {
                    action = machine.next(now: now)
                } else {
                    return
                }
            case .fail:
                failure = machine.failure
                closed = false
                return
            }
        }
    }

    mutating func write() -> ConnectionStateMachine.WriteResult {
        var taken = 0
        let limit = room
        let gone = peerGone
        var out: [UInt8] = []
        let result = machine.writeOutput { bytes in
            if gone { return .failed }
            let n = min(bytes.count, (limit ?? Int.max) - taken)
            if n == 0 { return .full }
            out.append(contentsOf: bytes[0..<n])
            taken += n
            return .sent(n)
        }
        sent += out
        if let room { self.room = room - taken }
        return result
    }
}

extension ConnectionStateMachine.Action: CustomStringConvertible {
    public var description: String {
        switch self {
        case .wait: "wait"
        case .route: "route"
        case .dispatch: "dispatch"
        case .refuse: "refuse"
        case .write: "write"
        case .startProducer: "startProducer"
        case .resumeProducer: "resumeProducer"
        case .stopProducer: "stopProducer"
        case .responded: "responded"
        case .pauseReading: "pauseReading"
        case .resumeReading: "resumeReading"
        case .close(let linger): linger ? "close(linger)" : "close"
        case .fail: "fail"
        }
    }
}
