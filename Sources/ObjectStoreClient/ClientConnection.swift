import Crypto
import Glibc
import HTTP1

/// One connection to the object store, plain or TLS: sends a request (head, then its body,
/// streamed from a file when it is one) and reads the answer, its body handed to a sink piece by
/// piece. Reusable (keep-alive) while every answer was read to its end and the server keeps it.
final class ClientConnection {
    private let socket: ClientSocket
    private let tls: TLSSession?
    /// Bytes read past what the last step consumed.
    private var pending: [UInt8] = []
    /// Where reads land (allocated once: a large answer is many reads).
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private(set) var reusable = true

    init(host: String, port: Int, tls context: TLSContext?, timeout: Double) throws(ObjectStoreError) {
        socket = try ClientSocket(host: host, port: port, timeout: timeout)
        if let context {
            do {
                tls = try context.connect(fd: socket.fd, host: host)
            } catch {
                socket.close()
                throw ObjectStoreError.tls(error.description)
            }
        } else {
            tls = nil
        }
    }

    deinit { close() }

    func close() {
        reusable = false
        tls?.close()
        socket.close()
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let tls {
            do { try tls.write(bytes) } catch { throw ObjectStoreError.connection(error.description) }
        } else {
            try socket.write(bytes)
        }
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let tls {
            do { return try tls.read(into: buffer) } catch { throw ObjectStoreError.connection(error.description) }
        }
        return try socket.read(into: buffer)
    }

    /// Reads more into `pending`; false at the peer's end.
    private func fill() throws -> Bool {
        let n = try readBuffer.withUnsafeMutableBytes { (buffer) throws -> Int in try read(into: buffer) }
        guard n > 0 else { return false }
        pending += readBuffer[..<n]
        return true
    }

    /// Sends `head` and `body`, reads the answer; the body goes to `sink` in pieces. On any
    /// failure the connection is closed (never reused half-read).
    func exchange(head: [UInt8], body: RequestBody, method: String, onHead: (ResponseHead) -> Void,
                  sink: (UnsafeRawBufferPointer) throws -> Void) throws(ObjectStoreError) -> ResponseHead {
        do {
            try head.withUnsafeBytes { try write($0) }
            try send(body)
            let response = try readHead()
            onHead(response)
            try readBody(of: response, method: method, sink: sink)
            if !response.keepsAlive { close() }
            return response
        } catch let error as ObjectStoreError {
            close()
            throw error
        } catch {
            close()
            throw ObjectStoreError.connection("\(error)")
        }
    }

    private func send(_ body: RequestBody) throws {
        switch body {
        case .none:
            return
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { (b) throws in try write(b) }
        case .file(let range) where tls == nil:
            // Plain TCP: the kernel copies the file to the socket (sendfile(2)), no pass through
            // our memory.
            var position = off_t(range.offset)
            let end = range.offset + range.length
            while Int64(position) < end {
                let n = sendfile(socket.fd, range.fd, &position, Int(min(end - Int64(position), 1 << 30)))
                if n > 0 { continue }
                if n < 0 && errno == EINTR { continue }
                if n == 0 { throw ObjectStoreError.refused("the file ended while sending it (it is shorter than it was)") }
                throw ObjectStoreError.connection(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out sending" : String(cString: strerror(errno)))
            }
        case .file(let range):
            try range.forEachPiece(pieceSize: 256 * 1024) { try write($0) }
        }
    }

    private func readHead() throws -> ResponseHead {
        while true {
            switch ResponseParser.parse(pending) {
            case .complete(let head, let consumed):
                pending.removeFirst(consumed)
                // 100 Continue and other interim answers come before the final one (RFC 9110 §15.2).
                if (100...199).contains(head.status) { continue }
                return head
            case .invalid(let error):
                throw ObjectStoreError.protocolViolation(error.reason)
            case .incomplete:
                guard try fill() else {
                    // Closed before a byte of an answer: a reset (or a kept-alive connection the
                    // server had closed) — worth another try, unlike a head cut off midway.
                    if pending.isEmpty { throw ObjectStoreError.connection("the connection closed before an answer") }
                    throw ObjectStoreError.protocolViolation("the answer's head was cut off")
                }
            }
        }
    }

    private func readBody(of head: ResponseHead, method: String,
                          sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let framing: ResponseFraming
        switch head.framing(requestMethod: method) {
        case .success(let f): framing = f
        case .failure(let error): throw ObjectStoreError.protocolViolation(error.reason)
        }
        switch framing {
        case .none:
            return
        case .contentLength(var remaining):
            while remaining > 0 {
                if pending.isEmpty { guard try fill() else { throw ObjectStoreError.protocolViolation("the body ended \(remaining) bytes early") } }
                let take = Int(min(Int64(pending.count), remaining))
                try pending.withUnsafeBytes { (b) throws in try sink(UnsafeRawBufferPointer(rebasing: b[..<take])) }
                pending.removeFirst(take)
                remaining -= Int64(take)
            }
        case .chunked:
            var decoder = ChunkedDecoder(bodyLimit: Int.max)
            while true {
                var out: [UInt8] = []
                let (consumed, status) = pending.withUnsafeBytes { decoder.decode($0, into: &out) }
                pending.removeFirst(consumed)
                if !out.isEmpty { try out.withUnsafeBytes { (b) throws in try sink(b) } }
                switch status {
                case .done: return
                case .needMore:
                    guard try fill() else { throw ObjectStoreError.protocolViolation("the chunked body ended early") }
                default:
                    throw ObjectStoreError.protocolViolation("bad chunked body: \(status)")
                }
            }
        case .untilClose:
            reusable = false
            while true {
                if !pending.isEmpty {
                    try pending.withUnsafeBytes { (b) throws in try sink(b) }
                    pending.removeAll()
                }
                guard try fill() else { return }
            }
        }
    }
}
