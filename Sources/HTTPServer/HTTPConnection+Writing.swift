import Dispatch
import Glibc
import HTTP1

/// Writing responses: framing, flushing with back-pressure, streaming, and what happens after.
extension HTTPConnection {
    /// Serialises and sends `response`. Runs on `queue`.
    func respond(_ response: HTTPResponse, to head: RequestHead?, forceClose: Bool = false, refusal: String? = nil) {
        if isClosed(phase) { return }
        phase = .writing
        requestsServed += 1
        responseBodyBytes = 0
        currentRequestID = response.requestID
        currentRouteLabel = response.routeLabel
        let isHEAD = head?.method == "HEAD"
        let http10 = head?.version == .http10
        let noBody = HTTPStatus.forbidsBody(response.status)
        var close = forceClose || !(head?.keepAlive ?? false) || requestsServed >= server.configuration.maxRequestsPerConnection
            || shuttingDown || peerClosed
        // Reuse the (empty, flushed) output buffer's storage instead of allocating per response.
        var out: [UInt8] = []
        swap(&out, &output)
        out.removeAll(keepingCapacity: true)
        let framing: ResponseSerializer.Framing
        switch response.body {
        case .empty: framing = noBody ? .none : .contentLength(0)
        case .bytes(let body):
            framing = noBody ? .none : .contentLength(body.count)
            out.reserveCapacity(out.count + 256 + body.count)
        // HTTP/1.0 has no chunked coding (RFC 9112 §6.1): the body ends with the connection.
        case .stream: framing = noBody ? .none : (http10 ? .closeDelimited : .chunked)
        }
        if framing == .closeDelimited { close = true }
        ResponseSerializer.head(status: response.status, headers: response.headers,
                                extra: response.requestID.map { (name: "X-Request-Id", value: $0) },
                                framing: framing, close: close, date: server.dates.current, into: &out)
        switch response.body {
        case .empty:
            finishAfterFlush(consume out, close: close, head: head, status: response.status, refusal: refusal)
        case .bytes(let body):
            if !isHEAD && !noBody {
                out.append(contentsOf: body)
                responseBodyBytes = body.count
            }
            finishAfterFlush(consume out, close: close, head: head, status: response.status, refusal: refusal)
        case .stream(let produce):
            if isHEAD || noBody {
                finishAfterFlush(consume out, close: close, head: head, status: response.status, refusal: refusal)
                return
            }
            output = out
            outputOffset = 0
            flush()
            let chunked = framing == .chunked
            let writer = ConnectionBodyWriter(connection: self, chunked: chunked)
            let closeAfter = close
            let status = response.status
            producer = Task { [self] in
                let failed: Bool
                do {
                    try await produce(writer)
                    failed = false
                } catch {
                    failed = true
                }
                queue.async { [self] in finishStream(failed: failed, chunked: chunked, close: closeAfter, head: head, status: status) }
            }
        }
    }

    private func finishAfterFlush(_ bytes: consuming [UInt8], close: Bool, head: RequestHead?, status: Int, refusal: String?) {
        output = consume bytes
        outputOffset = 0
        afterFlush = PendingCompletion(close: close, head: head, status: status, refusal: refusal)
        flush()
    }

    private func finishStream(failed: Bool, chunked: Bool, close: Bool, head: RequestHead?, status: Int) {
        producer = nil
        if isClosed(phase) { return }
        if failed {
            // The head is out; the only honest signal left is a truncated body (no last chunk).
            report(head: head, status: status, refusal: "stream_failed")
            self.close()
            return
        }
        if chunked { output.append(contentsOf: ResponseSerializer.lastChunk) }
        afterFlush = PendingCompletion(close: close, head: head, status: status, refusal: nil)
        flush()
    }

    /// After the last byte of a response: the next request, or the end of the connection.
    private func completeResponse(close: Bool, head: RequestHead?, status: Int, refusal: String?) {
        let finished = report(head: head, status: status, refusal: refusal)
        if close {
            closeAfterResponse(lingering: refusal != nil)
            return
        }
        phase = .idle
        resumeReading()
        armTimer(server.timeouts.idle, from: finished)
        advance()
    }

    /// Hands the record of the finished response to the responder; returns when it finished.
    @discardableResult
    private func report(head: RequestHead?, status: Int, refusal: String?) -> UInt64 {
        let finished = MonotonicClock.now()
        server.responder.didRespond(HTTPResponseRecord(
            method: head?.method, target: head?.target, status: status, bodyBytes: responseBodyBytes,
            durationNanoseconds: finished &- min(requestStarted, finished), remoteAddress: remoteAddress,
            requestID: currentRequestID, routeLabel: currentRouteLabel, refusal: refusal, loop: loop.index))
        return finished
    }

    /// Half-closes after the response. After a refusal the client may still be sending (a large
    /// body to a 413): unread input would make the kernel answer with RST and could destroy the
    /// response, so the rest is read and discarded for a short while (lingering close).
    private func closeAfterResponse(lingering: Bool) {
        guard lingering, !peerClosed else {
            close()
            return
        }
        shutdown(fd, Int32(SHUT_WR))
        phase = .writing
        isLingering = true
        input = []
        resumeReading()
        armTimer(2_000_000_000)
    }

    // MARK: flushing

    /// Writes pending output until done or the socket is full. Runs on `queue`.
    func flush() {
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + outputOffset, buffer.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outputOffset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                waitForWritable()
                armTimer(server.timeouts.write)
                return
            }
            // EPIPE, ECONNRESET: the client is gone.
            peerClosed = true
            close()
            return
        }
        if output.capacity > 256 * 1024 {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        outputOffset = 0
        stopWaitingForWritable()
        if case .writing = phase, !isLingering { disarmTimer() }
        resumeStreamWaiter(throwing: nil)
        if let next = afterFlush {
            afterFlush = nil
            completeResponse(close: next.close, head: next.head, status: next.status, refusal: next.refusal)
        }
    }

    func onWritable() {
        flush()
    }

    /// Appends a body part from a streaming producer; suspends it while too much is pending.
    func enqueue(_ bytes: [UInt8], chunked: Bool, continuation: CheckedContinuation<Void, any Error>) {
        if isClosed(phase) || peerClosed {
            continuation.resume(throwing: HTTPServerError(.peerClosed, "client closed the connection"))
            return
        }
        if outputOffset > 0 {
            output.removeFirst(outputOffset)
            outputOffset = 0
        }
        if chunked {
            ResponseSerializer.chunk(bytes, into: &output)
        } else {
            output.append(contentsOf: bytes)
        }
        responseBodyBytes += bytes.count
        streamWaiter = continuation
        if output.count - outputOffset <= server.configuration.streamHighWater {
            // Below the high-water mark the producer continues at once; the bytes go out now
            // or when the socket is writable.
            streamWaiter = nil
            continuation.resume()
        }
        flush()
    }

    func resumeStreamWaiter(throwing error: (any Error)?) {
        guard let waiter = streamWaiter else { return }
        streamWaiter = nil
        if let error { waiter.resume(throwing: error) } else { waiter.resume() }
    }
}

/// The writer a streaming producer gets; every call hops onto the connection's queue.
struct ConnectionBodyWriter: HTTPBodyWriter {
    let connection: HTTPConnection
    let chunked: Bool

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled { throw HTTPServerError(.peerClosed, "client closed the connection") }
        guard !bytes.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.queue.async { connection.enqueue(bytes, chunked: chunked, continuation: continuation) }
        }
    }
}
