import HTTP1
import Testing

/// Streamed responses in `ConnectionStateMachine`: framing, back-pressure against a slow
/// client, the end, a failing producer, the client leaving, and export-sized bodies.
@Suite struct ConnectionStateMachineStreamingTests {
    static func streaming(_ configure: (inout ConnectionStateMachine.Configuration) -> Void = { _ in }) -> MachineHarness {
        var h = MachineHarness(configure)
        h.answer = { _ in HTTPResponse(status: 200, headers: HTTPHeaders(), body: .stream { _ in }) }
        return h
    }

    @Test("RFC 9112 §7.1: chunked in HTTP/1.1 — the head, each part as a chunk, the last chunk; then the next request")
    func chunked() {
        var h = Self.streaming()
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.trace.map(\.description) == ["route", "dispatch", "startProducer", "write", "wait"] && h.producer != nil)
        #expect(h.takeSent().contains("Transfer-Encoding: chunked\r\n"))
        h.bodyPart(Array("hello".utf8))
        #expect(!h.producerWaiting && h.takeSent() == "5\r\nhello\r\n")
        h.streamEnded()
        #expect(h.takeSent() == "0\r\n\r\n" && h.records.first?.bodyBytes == 5 && h.machine.isIdle)
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.dispatched.count == 2)
    }

    @Test("RFC 9112 §6.1: HTTP/1.0 has no chunked coding — the body ends with the connection")
    func closeDelimited() {
        var h = Self.streaming()
        h.receive("GET /s HTTP/1.0\r\n\r\n")
        let head = h.takeSent()
        #expect(!head.contains("Transfer-Encoding") && !head.contains("Content-Length") && head.contains("Connection: close"))
        h.bodyPart(Array("abc".utf8))
        h.streamEnded()
        #expect(h.takeSent() == "abc" && h.closed == false)
    }

    @Test("HEAD of a streamed resource: the head only; the producer never runs")
    func headRequest() {
        var h = Self.streaming()
        h.receive("HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.producer == nil && h.records.count == 1 && h.machine.isIdle)
    }

    @Test("back-pressure: above the high-water mark the producer waits until the socket took enough; below it goes on at once")
    func backPressure() {
        var h = Self.streaming { $0.streamHighWater = 100 }
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = h.takeSent()
        h.room = 0
        h.bodyPart([UInt8](repeating: 0x61, count: 60))
        #expect(!h.producerWaiting, "below the mark: on at once, the bytes wait for the socket")
        #expect(h.machine.timer == .write)
        h.bodyPart([UInt8](repeating: 0x62, count: 60))
        #expect(h.producerWaiting && h.machine.pendingOutputCount > 100)
        h.writable(room: 30)
        #expect(h.producerWaiting, "still above the mark")
        h.writable()
        #expect(!h.producerWaiting && h.machine.pendingOutputCount == 0 && h.machine.timer == nil)
        h.streamEnded()
        #expect(h.records.first?.bodyBytes == 120)
    }

    @Test("a producer that throws after the head: the body is left truncated (no last chunk), the record says stream_failed, the connection closes")
    func producerFails() {
        var h = Self.streaming()
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        h.bodyPart(Array("part".utf8))
        _ = h.takeSent()
        h.streamEnded(failed: true)
        #expect(h.sent.isEmpty && h.records.first?.refusal == "stream_failed" && h.closed == false)
    }

    @Test("the client leaves mid-stream: writing fails, the connection closes, the producer's next part is refused")
    func clientLeaves() {
        var h = Self.streaming()
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        h.peerGone = true
        h.bodyPart(Array("part".utf8))
        #expect(h.closed == false && h.machine.isClosed)
        h.bodyPart(Array("more".utf8))
        #expect(h.producerStopped && h.trace.suffix(2).map(\.description) == ["stopProducer", "wait"])
        h.streamEnded()
        #expect(h.records.isEmpty)
    }

    @Test("2 GiB through the machine to a fast client: output stays under the high-water mark, every byte is counted once")
    func exportScale() {
        var h = Self.streaming()
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = h.takeSent()
        let part = [UInt8](repeating: 0x7A, count: 1 << 20)
        var delivered = 0
        var largest = 0
        for _ in 0..<2048 {
            h.bodyPart(part)
            largest = max(largest, h.machine.pendingOutputCount)
            #expect(!h.producerWaiting)
            delivered += h.sent.count
            h.sent.removeAll(keepingCapacity: true)
        }
        h.streamEnded()
        delivered += h.sent.count
        #expect(h.records.first?.bodyBytes == 2048 << 20)
        // Each 1 MiB chunk: its size line and CRLF; then the last chunk.
        #expect(delivered == (2048 << 20) + 2048 * ("100000\r\n".utf8.count + 2) + 5)
        #expect(largest == 0, "a fast client leaves nothing pending")
    }
}

/// Every timer of `ConnectionStateMachine`: what it guards, when it is armed, what its firing does.
@Suite struct ConnectionStateMachineTimeoutTests {
    static let second: UInt64 = 1_000_000_000

    @Test("idle: no byte of a next request within the idle timeout — closed without a response")
    func idle() {
        var h = MachineHarness()
        h.advance(by: 4 * Self.second)
        #expect(h.closed == nil, "not yet")
        h.advance(by: Self.second)
        #expect(h.closed == false && h.sent.isEmpty)
    }

    @Test("head: 408 at the header timeout from the head's first byte, whatever arrives meanwhile (slowloris)")
    func head() {
        var h = MachineHarness()
        h.receive("GET /a HTTP/1.1\r\n")
        for _ in 0..<9 {
            h.now += Self.second
            h.receive("X-A: b\r\n")
        }
        #expect(h.closed == nil)
        h.advance(by: Self.second)
        #expect(h.records.first?.status == 408 && h.records.first?.refusal == "request_timeout" && h.machine.isLingering)
    }

    @Test("body: 408 when no body byte arrives within the body timeout; each byte re-arms it")
    func body() {
        var h = MachineHarness()
        h.receive("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n")
        h.now += 9 * Self.second
        h.receive("a")
        h.advance(by: 9 * Self.second)
        #expect(h.closed == nil)
        h.advance(by: Self.second)
        #expect(h.records.first?.status == 408)
    }

    @Test("no timer while the application works")
    func processing() {
        var h = MachineHarness()
        h.answer = nil
        h.receive("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.machine.timer == nil)
        h.advance(by: 3600 * Self.second)
        #expect(h.closed == nil)
    }

    @Test("write: a client that takes nothing within the write timeout is dropped")
    func write() {
        var h = MachineHarness()
        h.room = 0
        h.receive("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(h.machine.timer == .write)
        h.advance(by: 30 * Self.second)
        #expect(h.closed == false && h.records.isEmpty)
    }

    @Test("linger: after a refusal, input is discarded for at most the linger timeout")
    func linger() {
        var h = MachineHarness()
        h.receive("BAD\u{1} / HTTP/1.1\r\n")
        #expect(h.closed == true && h.machine.timer == .linger)
        h.advance(by: 2 * Self.second)
        #expect(h.closed == false && h.machine.isClosed)
    }

    @Test("a timer checked before its deadline does nothing")
    func early() {
        var h = MachineHarness()
        #expect(h.machine.timerFired(now: h.now + 1) == .wait)
        #expect(h.machine.timer == .idle)
    }

    @Test("a sized stream: Content-Length, the parts as they are, then the next request; more than promised or fewer: the connection closes, recorded as cut")
    func sized() {
        var h = MachineHarness()
        h.answer = { _ in HTTPResponse(status: 200, headers: HTTPHeaders(), body: .sized(8, { _ in })) }
        h.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = h.takeSent()
        #expect(head.contains("Content-Length: 8\r\n") && !head.contains("chunked"))
        h.bodyPart(Array("abcd".utf8))
        h.bodyPart(Array("efgh".utf8))
        #expect(h.takeSent() == "abcdefgh")
        h.streamEnded()
        #expect(h.records.first?.bodyBytes == 8 && h.records.first?.refusal == nil && h.machine.isIdle)

        var over = MachineHarness()
        over.answer = { _ in HTTPResponse(status: 200, headers: HTTPHeaders(), body: .sized(3, { _ in })) }
        over.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = over.takeSent()
        over.bodyPart(Array("abcd".utf8))
        #expect(over.takeSent().isEmpty && over.records.first?.refusal == "stream_overran_length")

        var short = MachineHarness()
        short.answer = { _ in HTTPResponse(status: 200, headers: HTTPHeaders(), body: .sized(10, { _ in })) }
        short.receive("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = short.takeSent()
        short.bodyPart(Array("abc".utf8))
        short.streamEnded()
        #expect(short.records.first?.refusal == "stream_short_of_length" && !short.machine.isIdle)
    }
}
