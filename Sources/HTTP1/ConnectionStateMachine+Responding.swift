extension ConnectionStateMachine {
    /// A response on its way out.
    struct Exchange: Sendable {
        var status = 0
        var requestID: String?
        var routeLabel: String?
        /// The connection closes after it.
        var close = false
        /// Chunked framing (a streamed body in HTTP/1.1).
        var chunked = false
        /// The Content-Length of a sized stream (nil for others).
        var expected: Int?
        var bodyBytes = 0
        /// The producer finished (or there is none); the rest is writing what it left.
        var producerDone = true
        /// The producer waits for its last `write` to return (too much is unsent).
        var producerWaiting = false
    }

    /// The record of the current response, finished at `now`; the response's own strings are
    /// moved into it.
    mutating func record(_ now: UInt64, refusal override: String? = nil) -> HTTPResponseRecord {
        HTTPResponseRecord(method: head?.method, target: head?.target, status: exchange.status, bodyBytes: exchange.bodyBytes,
                           durationNanoseconds: now &- min(requestStarted, now), remoteAddress: remoteAddress,
                           requestID: exchange.requestID.take(), routeLabel: exchange.routeLabel.take(),
                           refusal: override ?? refusal.take())
    }

    /// How many response bytes are unsent.
    public var pendingOutputCount: Int { output.count - outputOffset }

    /// Carries out a `write` action: hands the unsent bytes to `send` (the shell's `send(2)`)
    /// until they are all taken, the socket is full, or the peer is gone. Mutating, so that the
    /// shell never copies the machine to reach its buffer.
    public mutating func writeOutput(_ send: (UnsafeRawBufferPointer) -> SendResult) -> WriteResult {
        while outputOffset < output.count {
            let start = outputOffset
            let result = output.withUnsafeBytes { send(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            switch result {
            case .sent(let n): consumeOutput(n)
            case .interrupted: continue
            case .full: return .wouldBlock
            case .failed: return .failed
            }
        }
        return .complete
    }

    /// `count` bytes of the pending output were written.
    mutating func consumeOutput(_ count: Int) {
        outputOffset += min(count, output.count - outputOffset)
        if outputOffset == output.count {
            if output.capacity > configuration.outputRetained {
                output = []
            } else {
                output.removeAll(keepingCapacity: true)
            }
            outputOffset = 0
        }
    }

    // MARK: responses

    /// The response to the request being processed, or to the one being refused. `date` is the
    /// `Date` field's value (the shell caches it per second). A response that arrives after the
    /// connection closed is dropped.
    public mutating func respond(_ response: HTTPResponse, date: String, now: UInt64) -> Action {
        switch phase {
        case .processing:
            refusal = nil
        case .refusing:
            break
        case .closing, .lingering, .closed:
            return .wait
        default:
            return illegal("respond")
        }
        requestsServed += 1
        let isHEAD = head?.method == "HEAD"
        let noBody = HTTPStatus.forbidsBody(response.status)
        var close = refusal != nil || !(head?.keepAlive ?? false) || requestsServed >= configuration.maxRequestsPerConnection
            || shuttingDown || peerFinished
        let framing: ResponseSerializer.Framing
        switch response.body {
        case .empty: framing = noBody ? .none : .contentLength(0)
        case .bytes(let body): framing = noBody ? .none : .contentLength(body.count)
        // HTTP/1.0 has no chunked coding (RFC 9112 §6.1): the body ends with the connection.
        case .stream: framing = noBody ? .none : (head?.version == .http10 ? .closeDelimited : .chunked)
        case .sized(let n, _): framing = noBody ? .none : .contentLength(n)
        }
        if framing == .closeDelimited { close = true }
        var headers = response.headers
        // A refusal closes the connection; the core says so itself.
        if refusal != nil && headers.contains("Connection") { headers.remove("Connection") }
        if case .bytes(let body) = response.body { output.reserveCapacity(output.count + 256 + body.count) }
        ResponseSerializer.head(status: response.status, headers: headers,
                                extra: response.requestID.map { (name: "X-Request-Id", value: $0) },
                                framing: framing, close: close, date: date, into: &output)
        exchange = Exchange(status: response.status, requestID: response.requestID, routeLabel: response.routeLabel,
                            close: close, chunked: framing == .chunked)
        if case .sized(let n, _) = response.body { exchange.expected = n }
        phase = .sending
        switch response.body {
        case .empty:
            break
        case .bytes(let body):
            if !isHEAD && !noBody {
                output.append(contentsOf: body)
                exchange.bodyBytes = body.count
            }
        case .stream(let produce), .sized(_, let produce):
            if !isHEAD && !noBody {
                exchange.producerDone = false
                phase = .streaming
                pendingProducer = produce
                return .startProducer
            }
        }
        return next(now: now)
    }

    /// The `write` action ended.
    public mutating func writeFinished(_ result: WriteResult, now: UInt64) -> Action {
        switch result {
        case .complete:
            writeBlocked = false
            if timer == .write { disarm() }
        case .wouldBlock:
            writeBlocked = true
            arm(.write, now)
        case .failed:
            // EPIPE, ECONNRESET: the peer is gone; nothing more can be sent or received.
            // (Closing cancels a running producer; its waiting `write` throws.)
            peerGone = true
            peerFinished = true
            return close(linger: false, now)
        }
        return next(now: now)
    }

    /// The socket takes output again.
    public mutating func writable(now: UInt64) -> Action {
        writeBlocked = false
        return next(now: now)
    }

    /// Where a response is once `next` found no output to write now.
    mutating func progress(_ now: UInt64) -> Action {
        if exchange.producerWaiting && pendingOutputCount <= configuration.streamHighWater {
            exchange.producerWaiting = false
            return .resumeProducer
        }
        // Unsent output (the socket is full), or a producer still at work: wait.
        guard pendingOutputCount == 0, exchange.producerDone else { return .wait }
        return finish(now)
    }

    /// The response's last byte is out: report it, then the next request or the end.
    mutating func finish(_ now: UInt64) -> Action {
        let lingering = refusal != nil
        pendingRecord = record(now)
        if exchange.close {
            phase = .closing
            closeLingering = lingering
        } else {
            phase = .idle
            arm(.idle, now)
        }
        head = nil
        exchange.bodyBytes = 0
        return .responded
    }

    /// The producer of the last `startProducer` action.
    public mutating func takeProducer() -> HTTPResponse.Producer? {
        pendingProducer.take()
    }

    /// The record of the last `responded` action (its `loop` is the shell's to fill in).
    public mutating func takeRecord() -> HTTPResponseRecord? {
        pendingRecord.take()
    }

    // MARK: a streamed body

    /// The producer hands over the next part of the body. Answered with `resumeProducer` when
    /// it may go on at once, `stopProducer` when the response cannot be completed, else with
    /// what is to be done first (its `write` waits until `resumeProducer`).
    public mutating func bodyPart(_ bytes: [UInt8], now: UInt64) -> Action {
        guard phase == .streaming, !exchange.producerDone else {
            switch phase {
            case .closing, .lingering, .closed: return .stopProducer
            default: return illegal("bodyPart")
            }
        }
        if let expected = exchange.expected, exchange.bodyBytes + bytes.count > expected {
            // More than the Content-Length promised: never sent; the connection closes (which
            // makes the producer's waiting write throw) and the response is recorded as cut.
            exchange.producerDone = true
            pendingRecord = record(now, refusal: "stream_overran_length")
            phase = .closing
            closeLingering = false
            return .responded
        }
        if exchange.chunked {
            ResponseSerializer.chunk(bytes, into: &output)
        } else {
            output.append(contentsOf: bytes)
        }
        exchange.bodyBytes += bytes.count
        if pendingOutputCount <= configuration.streamHighWater {
            // Below the high-water mark the producer goes on at once; the bytes go out now or
            // when the socket is writable.
            return .resumeProducer
        }
        exchange.producerWaiting = true
        return next(now: now)
    }

    /// The producer returned (`failed`: it threw). A failure after the head is out can only be
    /// signalled by a truncated body: no last chunk, and the connection closes.
    public mutating func streamEnded(failed: Bool, now: UInt64) -> Action {
        guard phase == .streaming, !exchange.producerDone else {
            switch phase {
            case .closing, .lingering, .closed: return .wait
            default: return illegal("streamEnded")
            }
        }
        exchange.producerDone = true
        let short = exchange.expected.map { exchange.bodyBytes != $0 } ?? false
        if failed || short {
            pendingRecord = record(now, refusal: failed ? "stream_failed" : "stream_short_of_length")
            phase = .closing
            closeLingering = false
            return .responded
        }
        if exchange.chunked { output.append(contentsOf: ResponseSerializer.lastChunk) }
        return next(now: now)
    }
}
