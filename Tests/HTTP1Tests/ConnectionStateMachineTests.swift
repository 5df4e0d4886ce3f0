import HTTP1
import Testing

/// Every transition of `ConnectionStateMachine`, without sockets: requests and keep-alive,
/// pipelining, HEAD, 100-continue, refusals and the lingering close, half-close, input
/// back-pressure, shutdown, and what has no transition. Streams and timeouts are in
/// `ConnectionStateMachineStreamingTests` and `ConnectionStateMachineTimeoutTests`.
@Suite struct ConnectionStateMachineTests {
    static let get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"

    @Test("RFC 9112 §9.3: a request, its response, back to idle with the idle timer armed")
    func keepAlive() {
        var h = MachineHarness()
        #expect(h.machine.timer == .idle)
        h.receive(Self.get)
        #expect(h.trace.map(\.description) == ["route", "dispatch", "write", "responded", "wait"])
        let response = h.takeSent()
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n") && response.hasSuffix("\r\n\r\nok"))
        #expect(response.contains("Content-Length: 2\r\n") && response.contains("X-Request-Id: rid\r\n"))
        #expect(!response.contains("Connection: close"))
        #expect(h.records.count == 1 && h.records[0].status == 200 && h.records[0].bodyBytes == 2 && h.records[0].target == "/a")
        #expect(h.machine.isIdle && h.machine.timer == .idle && h.machine.deadline == h.now + 5_000_000_000 && h.closed == nil)
    }

    @Test("RFC 9112 §9.3: HTTP/1.0 without keep-alive, and Connection: close, end the connection after the response",
          arguments: ["GET /a HTTP/1.0\r\n\r\n", "GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"])
    func closeAfter(request: String) {
        var h = MachineHarness()
        h.receive(request)
        #expect(h.takeSent().contains("Connection: close\r\n"))
        #expect(h.trace.map(\.description) == ["route", "dispatch", "write", "responded", "close"])
        #expect(h.closed == false && h.machine.isClosed && h.machine.timer == nil)
    }

    @Test("RFC 9112 §9.3.2: pipelined requests are answered one at a time, in order; the next is parsed only once the previous response is out")
    func pipelining() {
        var h = MachineHarness()
        h.room = 10
        h.receive("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
        // The first response does not fit the socket: the second request waits.
        #expect(h.dispatched.map(\.path) == ["/1"] && h.machine.timer == .write)
        h.writable()
        #expect(h.dispatched.map(\.path) == ["/1", "/2"] && h.records.map(\.target) == ["/1", "/2"])
        let text = h.takeSent()
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(h.machine.isIdle)
    }

    @Test("the last request a connection may carry gets Connection: close")
    func requestLimit() {
        var h = MachineHarness { $0.maxRequestsPerConnection = 2 }
        h.receive(Self.get)
        #expect(!h.takeSent().contains("Connection: close"))
        h.receive(Self.get)
        #expect(h.takeSent().contains("Connection: close") && h.closed == false)
    }

    @Test("RFC 9110 §9.3.2: HEAD gets the GET's fields, Content-Length included, and no body")
    func head() {
        var h = MachineHarness()
        h.receive("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\n")
        let text = h.takeSent()
        #expect(text.contains("Content-Length: 2\r\n") && text.hasSuffix("\r\n\r\n"))
        #expect(h.records.first?.bodyBytes == 0)
    }

    @Test("RFC 9110 §15.3.5: 204 and 304 carry no body and no Content-Length: 0 framing for 204")
    func noBodyStatuses() {
        var h = MachineHarness()
        h.answer = { _ in HTTPResponse(status: 204) }
        h.receive(Self.get)
        let text = h.takeSent()
        #expect(!text.contains("Content-Length") && text.hasSuffix("\r\n\r\n"))
    }

    @Test("a request body by Content-Length, in pieces; the body timer is re-armed by each piece")
    func lengthBody() {
        var h = MachineHarness()
        h.receive("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123")
        #expect(h.dispatched.isEmpty && h.machine.timer == .body)
        h.now += 1_000_000_000
        h.receive("45678")
        #expect(h.machine.deadline == h.now + 10_000_000_000)
        h.receive("9GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.dispatched.map { String(decoding: $0.body, as: UTF8.self) } == ["0123456789", ""])
        #expect(h.dispatched.map(\.path) == ["/a", "/b"])
    }

    @Test("RFC 9112 §7.1: a chunked request body with a trailer")
    func chunkedBody() {
        var h = MachineHarness()
        h.receive("POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n")
        #expect(h.dispatched.count == 1 && h.dispatched[0].body == Array("abcde".utf8) && h.dispatched[0].trailers["X-Sum"] == "5")
    }

    @Test("RFC 9110 §10.1.1: 100 Continue before the body is read — not when the body came with the head, not for a body over the limit")
    func expectContinue() {
        var h = MachineHarness()
        h.receive("POST /a HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(h.takeSent() == "HTTP/1.1 100 Continue\r\n\r\n" && h.dispatched.isEmpty)
        h.receive("hi")
        #expect(h.takeSent().hasPrefix("HTTP/1.1 200 OK") && h.dispatched.count == 1)

        var buffered = MachineHarness()
        buffered.receive("POST /a HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
        #expect(buffered.takeSent().hasPrefix("HTTP/1.1 200 OK"))

        var tooLarge = MachineHarness()
        tooLarge.bodyLimit = 1
        tooLarge.receive("POST /a HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(tooLarge.takeSent().hasPrefix("HTTP/1.1 413 "))
    }

    @Test("a refusal: the application's error response with Connection: close (its own field replaced), then a lingering close that discards input until the peer's end")
    func refusalLingers() {
        var h = MachineHarness()
        h.bodyLimit = 4
        h.receive("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        #expect(h.trace.map(\.description) == ["route", "refuse", "write", "responded", "close(linger)", "wait"])
        let text = h.takeSent()
        #expect(text.hasPrefix("HTTP/1.1 413 ") && text.contains("Connection: close\r\n") && !text.contains("keep-alive"))
        #expect(h.records.first?.refusal == "body_too_large" && h.records.first?.target == "/a")
        #expect(h.machine.isLingering && h.machine.timer == .linger)
        h.receive(String(repeating: "x", count: 100) + "GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.dispatched.isEmpty && h.sent.isEmpty)
        h.peerCloses()
        #expect(h.machine.isClosed && h.closed == false)
    }

    @Test("a malformed head is refused with the parser's status before anything reaches the application",
          arguments: [("GET / HTTP/1.1\r\n\r\n", 400, "missing_host"), ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "unsupported_version"),
                      ("G\u{1}T / HTTP/1.1\r\n", 400, "invalid_method")])
    func malformed(request: String, status: Int, reason: String) {
        var h = MachineHarness()
        h.receive(request)
        #expect(h.dispatched.isEmpty && h.records.first?.status == status && h.records.first?.refusal == reason)
        #expect(h.records.first?.method == nil && h.machine.isLingering)
    }

    @Test("a head that arrives a byte at a time is found complete once, and refused as early as the parser would refuse it")
    func byteAtATime() {
        var h = MachineHarness()
        for byte in Self.get { h.receive(String(byte)) }
        #expect(h.dispatched.count == 1)
        var bad = MachineHarness()
        for byte in "GET /a\u{1}" { bad.receive(String(byte)) }
        #expect(bad.records.first?.refusal == "invalid_target")
    }

    @Test("the peer's end before a request is complete: closed, nothing handed over (RFC 9112 §6.3 (6))",
          arguments: ["", "GET /a HTTP/1.1\r\nHo", "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab"])
    func incomplete(prefix: String) {
        var h = MachineHarness()
        if !prefix.isEmpty { h.receive(prefix) }
        h.peerCloses()
        #expect(h.dispatched.isEmpty && h.closed == false && h.sent.isEmpty)
    }

    @Test("a request followed by the peer's half-close is still answered (with Connection: close), then closed")
    func halfClose() {
        var h = MachineHarness()
        h.answer = nil
        h.receive(Self.get)
        h.peerCloses()
        #expect(h.dispatched.count == 1 && h.closed == nil)
        h.respond(HTTPResponse(status: 200, contentType: "text/plain", body: Array("late".utf8)))
        let text = h.takeSent()
        #expect(text.contains("Connection: close") && text.hasSuffix("late") && h.closed == false)
        // Pipelined requests before the half-close are all answered.
        var pipelined = MachineHarness()
        pipelined.receive(Self.get + Self.get)
        pipelined.peerCloses()
        #expect(pipelined.records.count == 2 && pipelined.closed == false)
    }

    @Test("input beyond maxBufferedInput while a request is processed pauses reading; the response resumes it")
    func inputBackPressure() {
        var h = MachineHarness { $0.maxBufferedInput = 64 }
        h.answer = nil
        h.receive(Self.get)
        #expect(h.machine.wantsInput)
        h.receive(String(repeating: Self.get, count: 4))
        #expect(!h.machine.wantsInput && h.readingPaused)
        h.respond(HTTPResponse(status: 200))
        // The buffered requests are parsed again; the next one is processed, reading resumes
        // once what is left fits.
        #expect(h.dispatched.count == 2)
        for _ in 0..<3 { h.respond(HTTPResponse(status: 200)) }
        #expect(h.dispatched.count == 5 && !h.readingPaused)
    }

    @Test("shutdown: an idle connection closes at once; a busy one after its response, which says Connection: close")
    func shutdown() {
        var idle = MachineHarness()
        idle.shutdown()
        #expect(idle.closed == false && idle.sent.isEmpty)

        var busy = MachineHarness()
        busy.answer = nil
        busy.receive(Self.get)
        busy.shutdown()
        #expect(busy.closed == nil)
        busy.respond(HTTPResponse(status: 200))
        #expect(busy.takeSent().contains("Connection: close") && busy.closed == false)

        // A request that arrives after the shutdown began is not started.
        var late = MachineHarness()
        late.shutdown()
        late.receive(Self.get)
        #expect(late.dispatched.isEmpty)
    }

    @Test("abort closes whatever the state; a response that arrives after the close is dropped")
    func abortAndLateResponse() {
        var h = MachineHarness()
        h.answer = nil
        h.receive(Self.get)
        h.run(h.machine.abort(now: h.now))
        #expect(h.closed == false && h.machine.isClosed)
        h.respond(HTTPResponse(status: 200))
        #expect(h.sent.isEmpty && h.trace.last == .wait)
        #expect(h.machine.abort(now: h.now) == .wait)
    }

    @Test("writing fails (the peer is gone): closed without lingering")
    func writeFails() {
        var h = MachineHarness()
        h.peerGone = true
        h.receive(Self.get)
        #expect(h.closed == false && h.records.isEmpty)
    }

    @Test("an event without a transition closes with .fail and says which (release builds; debug builds trap)",
          arguments: ["routed", "respond", "bodyPart", "streamEnded"])
    func illegal(event: String) {
        var h = MachineHarness()
        let action: ConnectionStateMachine.Action
        switch event {
        case "routed": action = h.machine.routed(RequestRoute(bodyLimit: 0), now: h.now)
        case "respond": action = h.machine.respond(HTTPResponse(status: 200), date: "", now: h.now)
        case "bodyPart": action = h.machine.bodyPart([1], now: h.now)
        default: action = h.machine.streamEnded(failed: false, now: h.now)
        }
        #expect(action == .fail && h.machine.isClosed)
        #expect(h.machine.failure == "illegal transition: \(event) in idle")
    }
}
