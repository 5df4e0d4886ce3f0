import Chronology
import Crypto
import Foundation
import Glibc
import HTTP1
import ObjectStore
import Synchronization
import XML

/// The S3 operations the WORM store needs, over keep-alive connections (TLS when the endpoint
/// is https), signed with SigV4, retried with backoff and jitter on 500/503/SlowDown and
/// connection failures — never on a 4xx. Blocking: call it from a thread of its own (the CLI,
/// the background verifier), never from an event loop.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let tls: TLSContext?
    /// Idle keep-alive connections (at most four kept).
    private let idle = Mutex<[ClientConnectionBox]>([])
    /// The clock requests are signed with (tests shift it to provoke RequestTimeTooSkewed).
    let clock: @Sendable () -> Timestamp

    public init(_ configuration: S3Configuration, clock: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) throws(ObjectStoreError) {
        self.configuration = configuration
        self.clock = clock
        // A store that closes the connection mid-write must be an error, not the end of the
        // process: OpenSSL writes to the socket without MSG_NOSIGNAL.
        signal(SIGPIPE, SIG_IGN)
        if configuration.endpoint.secure {
            do { tls = try TLSContext(caBundle: configuration.caBundle) } catch { throw .tls(error.description) }
        } else {
            tls = nil
        }
    }

    /// The key in the bucket for `name` (the configured prefix first).
    public func fullKey(_ name: String) -> String { configuration.prefix + name }

    // MARK: the exchange

    /// A finished exchange: the head and (for answers we read) the body.
    struct Answer {
        let head: ResponseHead
        let body: [UInt8]
    }

    /// Sends `request` (signed now) with `body` and collects a 2xx answer's body (documents:
    /// at most 1 MiB is kept, and the XML reader refuses more); anything else becomes `S3Error`.
    func send(_ request: S3Request, body: RequestBody = .none) throws(ObjectStoreError) -> Answer {
        var collected: [UInt8] = []
        let answer = try send(request, body: body) { bytes throws(ObjectStoreError) in
            if collected.count <= XMLReader.maxBytes { collected += bytes.prefix(XMLReader.maxBytes + 1 - collected.count) }
        }
        return Answer(head: answer.head, body: collected)
    }

    /// Sends `request` (signed now) with `body`; a 2xx answer's body goes to `sink` piece by
    /// piece, anything else becomes `S3Error`. Retries what is retryable before the sink got
    /// anything (the body is a file range or bytes: it can be sent again); a stale keep-alive
    /// connection is retried at once on a fresh one.
    func send(_ request: S3Request, body: RequestBody = .none, sink: (UnsafeRawBufferPointer) throws(ObjectStoreError) -> Void)
        throws(ObjectStoreError) -> Answer {
        var attempt = 0
        // Once the sink has bytes, a retry would hand it the body twice: no retry then.
        var delivered = false
        while true {
            attempt += 1
            do {
                return try sendOnce(request, body: body) { bytes throws(ObjectStoreError) in
                    delivered = true
                    try sink(bytes)
                }
            } catch {
                guard error.isRetryable, !delivered, attempt < configuration.attempts else { throw error }
                // Exponential backoff with jitter: 50–100 ms, 100–200 ms, 200–400 ms, …
                let cap = 100_000 << (attempt - 1)
                usleep(useconds_t(Int.random(in: cap / 2...cap)))
            }
        }
    }

    private func sendOnce(_ request: S3Request, body: RequestBody, sink: (UnsafeRawBufferPointer) throws(ObjectStoreError) -> Void)
        throws(ObjectStoreError) -> Answer {
        var unsigned = request
        unsigned.headers.insert(("Host", configuration.endpoint.hostHeader(bucket: configuration.bucket)), at: 0)
        if body.count > 0 || ["PUT", "POST"].contains(request.method) { unsigned.headers.append(("Content-Length", String(body.count))) }
        let head = unsigned.signed(credentials: configuration.credentials, region: configuration.region, time: clock()).head
        if let connection = takeIdle() {
            do {
                return try exchange(on: connection, head: head, body: body, method: request.method, sink: sink)
            } catch {
                // The server may have closed the idle connection: one fresh attempt, not a retry.
                guard case .connection = error else { throw error }
            }
        }
        return try exchange(on: try connect(), head: head, body: body, method: request.method, sink: sink)
    }

    private func exchange(on connection: ClientConnection, head: [UInt8], body: RequestBody, method: String,
                          sink: (UnsafeRawBufferPointer) throws(ObjectStoreError) -> Void) throws(ObjectStoreError) -> Answer {
        var errorBody: [UInt8] = []
        var status = 0
        let answer = try connection.exchange(head: head, body: body, method: method, onHead: { status = $0.status }) { bytes in
            if (200...299).contains(status) {
                try sink(bytes)
            } else if errorBody.count < 64 * 1024 {
                errorBody += bytes.prefix(64 * 1024 - errorBody.count)
            }
        }
        if connection.reusable { putIdle(connection) }
        guard (200...299).contains(answer.status) else { throw .s3(S3Error(status: answer.status, body: errorBody)) }
        return Answer(head: answer, body: [])
    }

    private func connect() throws(ObjectStoreError) -> ClientConnection {
        let endpoint = configuration.endpoint
        return try ClientConnection(host: endpoint.connectHost(bucket: configuration.bucket), port: endpoint.port, tls: tls,
                                    timeout: configuration.timeout)
    }

    private func takeIdle() -> ClientConnection? {
        idle.withLock { $0.popLast()?.connection }
    }

    private func putIdle(_ connection: ClientConnection) {
        let box = ClientConnectionBox(connection: connection)
        let dropped: ClientConnectionBox? = idle.withLock { list in
            guard list.count < 4 else { return box }
            list.append(box)
            return nil
        }
        dropped?.connection.close()
    }
}

/// A connection handed between threads through the idle list (only one thread uses it at a time).
final class ClientConnectionBox: @unchecked Sendable {
    let connection: ClientConnection
    init(connection: ClientConnection) { self.connection = connection }
}
