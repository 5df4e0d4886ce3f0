import HTTP1

/// The writer a streaming producer gets; every call hops onto the connection's queue, and
/// returns when the connection's state machine lets the producer go on.
struct ConnectionBodyWriter: HTTPBodyWriter {
    let connection: HTTPConnection

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled { throw HTTPServerError(.peerClosed, "client closed the connection") }
        guard !bytes.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.queue.async { connection.bodyPart(bytes, continuation: continuation) }
        }
    }
}
