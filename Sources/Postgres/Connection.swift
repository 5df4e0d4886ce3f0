import CInterop
import CLibPQ
import Foundation
import Glibc

/// The single owner of one libpq connection (`PGconn`), driven non-blocking.
///
/// Every wait goes through `poll(2)` on the connection's socket and a cancellation eventfd, with a
/// deadline, so a statement timeout or a cancelled caller sends a cancel request to the server
/// (`PQcancel`), drains every result, and leaves the connection usable. A `Connection` is confined
/// to the worker thread that created it; it is not `Sendable`.
final class Connection {
    private var handle: OpaquePointer?
    /// Statements prepared on this session: SQL text → statement name.
    private var preparedStatements: [String: String] = [:]
    /// Prepared statements per session at most; further queries run unnamed.
    static let preparedStatementLimit = 256
    private let cancellation: CancellationSignal
    /// Set by the worker for the running job: true once the caller's task was cancelled.
    var isCancelled: () -> Bool = { false }

    /// How long to wait for the server to acknowledge a cancel before dropping the connection.
    static let cancelGrace: Duration = .seconds(5)

    private init(handle: OpaquePointer, cancellation: CancellationSignal) {
        self.handle = handle
        self.cancellation = cancellation
    }

    deinit { close() }

    /// Closes the connection; idempotent.
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        preparedStatements = [:]
    }

    // MARK: connecting

    /// Opens a connection (`PQconnectStartParams` + `PQconnectPoll`) within the configured timeout.
    static func connect(_ configuration: ConnectionConfiguration,
                        cancellation: CancellationSignal) throws(PostgresError) -> Connection {
        // Later keywords override earlier ones, and the expanded URL sits in the middle, so the URL
        // can override connect_timeout while client_encoding is always UTF8 (we decode text as UTF-8).
        let keywords = ["connect_timeout", "fallback_application_name", "dbname", "client_encoding"]
        let values = [String(max(2, configuration.connectTimeoutSeconds)), configuration.applicationName,
                      configuration.url, "UTF8"]
        let conn: OpaquePointer? = CStringArray.with(keywords) { k in
            CStringArray.with(values) { v in PQconnectStartParams(k.map { UnsafePointer($0) }, v.map { UnsafePointer($0) }, 1) }
        }
        guard let conn else { throw PostgresError(.connectionFailed, "out of memory allocating a connection") }
        let connection = Connection(handle: conn, cancellation: cancellation)
        guard PQstatus(conn) != CONNECTION_BAD else {
            throw PostgresError(.connectionFailed, connection.libpqMessage())
        }
        let deadline = ContinuousClock.now + .seconds(max(2, configuration.connectTimeoutSeconds))
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                PQsetnonblocking(conn, 1)
                // NOTICE/WARNING messages would go to stderr by default; they are not errors and
                // must not interleave with a CLI's output, so they are dropped.
                PQsetNoticeProcessor(conn, { _, _ in }, nil)
                for setting in configuration.sessionSettings {
                    _ = try connection.execute("SELECT set_config(\(setting.name), \(setting.value), false)",
                                               timeout: .seconds(max(2, configuration.connectTimeoutSeconds)))
                }
                return connection
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let events = state == PGRES_POLLING_READING ? Int16(POLLIN) : Int16(POLLOUT)
                switch connection.wait(for: events, until: deadline) {
                case .ready: break
                case .timedOut:
                    throw PostgresError(.connectionFailed, "timeout after \(configuration.connectTimeoutSeconds) s connecting to the database")
                case .cancelled:
                    throw PostgresError(.cancelled, "connecting was cancelled")
                }
            default:
                throw PostgresError(.connectionFailed, connection.libpqMessage())
            }
            state = PQconnectPoll(conn)
        }
    }

    // MARK: state

    /// True when the connection is open, idle outside a transaction, and has received nothing
    /// while idle. A server that shut down sends an error and EOF to idle sessions, which makes
    /// the socket readable: such a connection is dropped instead of failing the next query.
    var isHealthyWhenIdle: Bool {
        guard let conn = handle, PQstatus(conn) == CONNECTION_OK, PQtransactionStatus(conn) == PQTRANS_IDLE
        else { return false }
        var descriptor = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let rc = poll(&descriptor, 1, 0)
        return rc == 0
    }

    /// True when the connection is open and not inside a transaction block.
    var isIdle: Bool {
        guard let conn = handle else { return false }
        return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    /// True when the connection is open (possibly inside a transaction).
    var isOpen: Bool {
        guard let conn = handle else { return false }
        return PQstatus(conn) == CONNECTION_OK
    }

    /// The server's process id (`pg_backend_pid()`), for tests and logs.
    var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    // MARK: queries

    /// Runs one statement with bound parameters (extended protocol, binary results).
    /// `timeout` bounds the whole of it — preparing, sending and the result — not each step.
    func execute(_ query: Query, timeout: Duration) throws(PostgresError) -> QueryResult {
        let conn = try openHandle()
        let deadline = ContinuousClock.now + timeout
        try send(query, on: conn, until: deadline)
        let outcome = try collect(on: conn, timeout: Self.remaining(until: deadline), expectCopyOut: false)
        return QueryResult(storage: outcome)
    }

    /// Time left until `deadline` (zero once it has passed: the next wait times out at once).
    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.zero, deadline - ContinuousClock.now)
    }

    /// Runs trusted SQL text that may hold several statements (simple protocol, text results).
    /// Only for `migrations/` files and fixed administrative statements.
    func executeScript(_ sql: String, timeout: Duration) throws(PostgresError) {
        let conn = try openHandle()
        guard !sql.utf8.contains(0) else { throw PostgresError(.invalidParameter, "sql text contains a NUL byte") }
        guard PQsendQuery(conn, sql) == 1 else { throw lostOrFailed(conn) }
        try flush(conn, until: ContinuousClock.now + timeout)
        _ = try collect(on: conn, timeout: timeout, expectCopyOut: false)
    }

    private func openHandle() throws(PostgresError) -> OpaquePointer {
        guard let conn = handle, PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError(.connectionLost, "the database connection is closed")
        }
        return conn
    }

    private func send(_ query: Query, on conn: OpaquePointer, until deadline: ContinuousClock.Instant) throws(PostgresError) {
        let bindings = query.bindings
        for (i, b) in bindings.enumerated() where b.format == .text && b.bytes?.contains(0) == true {
            throw PostgresError(.invalidParameter, "parameter $\(i + 1) contains a NUL byte, which text values cannot hold")
        }
        // One buffer holds every value, NUL-terminated (text parameters are C strings in libpq).
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        for b in bindings {
            if let bytes = b.bytes {
                offsets.append(storage.count)
                storage.append(contentsOf: bytes)
                storage.append(0)
            } else {
                offsets.append(nil)
            }
        }
        let types = bindings.map { $0.type.rawValue }
        let lengths = bindings.map { Int32($0.bytes?.count ?? 0) }
        let formats = bindings.map { $0.format.rawValue }
        var statement: String?
        if query.usesPreparedStatement {
            statement = try preparedStatement(for: query.sql, types: types, on: conn, until: deadline)
        }
        let sent: Int32 = storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in offset.flatMap { base?.advanced(by: $0) } }
            if let statement {
                return PQsendQueryPrepared(conn, statement, Int32(bindings.count), values, lengths, formats, 1)
            }
            return PQsendQueryParams(conn, query.sql, Int32(bindings.count), types, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw lostOrFailed(conn) }
        try flush(conn, until: deadline)
    }

    /// The name of `sql` prepared on this session, preparing it first if needed; nil when the
    /// session already holds `preparedStatementLimit` statements (the query then runs unnamed).
    /// Parameter types are part of the statement: the same text is only ever bound the same way.
    private func preparedStatement(for sql: String, types: [UInt32], on conn: OpaquePointer,
                                   until deadline: ContinuousClock.Instant) throws(PostgresError) -> String? {
        if let name = preparedStatements[sql] { return name }
        guard preparedStatements.count < Self.preparedStatementLimit else { return nil }
        let name = "immoflow_\(preparedStatements.count + 1)"
        guard PQsendPrepare(conn, name, sql, Int32(types.count), types) == 1 else { throw lostOrFailed(conn) }
        try flush(conn, until: deadline)
        _ = try collect(on: conn, timeout: Self.remaining(until: deadline), expectCopyOut: false)
        preparedStatements[sql] = name
        return name
    }

    /// Pushes buffered output (non-blocking mode can leave data in libpq's buffer).
    private func flush(_ conn: OpaquePointer, until deadline: ContinuousClock.Instant) throws(PostgresError) {
        while true {
            let rc = PQflush(conn)
            if rc == 0 { return }
            if rc < 0 { throw lostOrFailed(conn) }
            switch wait(for: Int16(POLLOUT | POLLIN), until: deadline) {
            case .ready:
                if PQconsumeInput(conn) == 0 { throw lostOrFailed(conn) }
            case .timedOut:
                close()
                throw PostgresError(.timeout, "timeout sending the query; connection dropped")
            case .cancelled:
                close()
                throw PostgresError(.cancelled, "cancelled while sending the query; connection dropped")
            }
        }
    }

    /// Reads results until libpq returns NULL. Keeps the last successful result and the first
    /// error. On timeout or cancellation it sends a cancel request and keeps draining, so the
    /// connection is left idle and reusable.
    private func collect(on conn: OpaquePointer, timeout: Duration,
                         expectCopyOut: Bool) throws(PostgresError) -> ResultStorage? {
        var deadline = ContinuousClock.now + timeout
        var interruption: PostgresError.Code?
        var last: ResultStorage?
        var firstError: PostgresError?
        while true {
            while PQisBusy(conn) == 1 {
                // Once a cancel request is out, further cancellation signals change nothing.
                switch wait(for: Int16(POLLIN), until: deadline, ignoringCancellation: interruption != nil) {
                case .ready:
                    if PQconsumeInput(conn) == 0 { throw lostOrFailed(conn) }
                case .timedOut where interruption == nil, .cancelled where interruption == nil:
                    interruption = ContinuousClock.now >= deadline ? .timeout : .cancelled
                    sendCancel(conn)
                    deadline = ContinuousClock.now + Self.cancelGrace
                case .timedOut:
                    close()
                    throw PostgresError(interruption ?? .timeout, "the server did not acknowledge a cancel request; connection dropped")
                case .cancelled:
                    continue
                }
            }
            guard let result = PQgetResult(conn) else { break }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                last = ResultStorage(result)
            case PGRES_COPY_OUT where expectCopyOut:
                PQclear(result)
                return nil
            case PGRES_COPY_OUT, PGRES_COPY_IN, PGRES_COPY_BOTH:
                PQclear(result)
                close()
                throw PostgresError(.protocolViolation, "unexpected COPY in a query; connection dropped")
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: conn) }
                PQclear(result)
            }
        }
        if PQstatus(conn) == CONNECTION_BAD {
            throw firstError ?? PostgresError(.connectionLost, libpqMessage())
        }
        if let firstError {
            if let interruption, firstError.sqlState == "57014" {
                throw interruption == .timeout
                    ? PostgresError(.timeout, "the query exceeded its timeout of \(timeout) and was cancelled", sqlState: "57014")
                    : PostgresError(.cancelled, "the query was cancelled", sqlState: "57014")
            }
            throw firstError
        }
        if expectCopyOut { throw PostgresError(.protocolViolation, "expected COPY … TO STDOUT") }
        return last
    }

    // MARK: COPY … TO STDOUT

    private var copyFinished = false

    /// Starts a `COPY … TO STDOUT`; rows are then read with `readCopyData`.
    func startCopyOut(_ query: Query, timeout: Duration) throws(PostgresError) {
        let conn = try openHandle()
        let deadline = ContinuousClock.now + timeout
        try send(query, on: conn, until: deadline)
        _ = try collect(on: conn, timeout: Self.remaining(until: deadline), expectCopyOut: true)
        copyFinished = false
    }

    /// Returns up to about `maxBytes` of COPY data, or nil once the COPY has ended. Waits at most
    /// `idleTimeout` for the server between rows; nothing is read ahead of the caller, so a slow
    /// consumer leaves data in the socket and the server waits (back-pressure).
    func readCopyData(maxBytes: Int, idleTimeout: Duration) throws(PostgresError) -> [UInt8]? {
        if copyFinished { return nil }
        let conn = try openHandle()
        var out: [UInt8] = []
        out.reserveCapacity(min(maxBytes, 1 << 20) + 1024)
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &buffer, 1)
            if n > 0, let buffer {
                out.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: Int(n)))
                PQfreemem(buffer)
                if out.count >= maxBytes { return out }
                continue
            }
            if n == 0 {
                if !out.isEmpty {
                    // Fill the chunk from what the socket already holds, without waiting: fewer,
                    // larger chunks mean fewer thread hops per megabyte.
                    var descriptor = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
                    if out.count < maxBytes / 2, poll(&descriptor, 1, 0) == 1, PQconsumeInput(conn) == 1 { continue }
                    return out
                }
                switch wait(for: Int16(POLLIN), until: ContinuousClock.now + idleTimeout) {
                case .ready:
                    if PQconsumeInput(conn) == 0 { throw lostOrFailed(conn) }
                case .timedOut:
                    abortCopyOut()
                    throw PostgresError(.timeout, "no COPY data for \(idleTimeout); the COPY was cancelled")
                case .cancelled:
                    abortCopyOut()
                    throw PostgresError(.cancelled, "the COPY was cancelled")
                }
                continue
            }
            if n == -1 {
                copyFinished = true
                // The COPY's end: the command status follows at once; bounded like the rows.
                _ = try collect(on: conn, timeout: idleTimeout, expectCopyOut: false)
                return out.isEmpty ? nil : out
            }
            throw lostOrFailed(conn)
        }
    }

    /// Cancels a running COPY on the server and drains it, leaving the connection idle (or closed
    /// if the server does not answer within the grace period).
    func abortCopyOut() {
        guard let conn = handle, !copyFinished else { return }
        copyFinished = true
        sendCancel(conn)
        let deadline = ContinuousClock.now + Self.cancelGrace
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &buffer, 1)
            if n > 0 {
                PQfreemem(buffer)
                continue
            }
            if n == 0 {
                guard wait(for: Int16(POLLIN), until: deadline, ignoringCancellation: true) == .ready,
                      PQconsumeInput(conn) == 1 else { close(); return }
                continue
            }
            break
        }
        if drainResults(conn, deadline: deadline) == false { close() }
    }

    /// Reads and discards results until NULL; false if the deadline passed or the link broke.
    private func drainResults(_ conn: OpaquePointer, deadline: ContinuousClock.Instant) -> Bool {
        while true {
            while PQisBusy(conn) == 1 {
                guard wait(for: Int16(POLLIN), until: deadline, ignoringCancellation: true) == .ready,
                      PQconsumeInput(conn) == 1 else { return false }
            }
            guard let result = PQgetResult(conn) else { return PQstatus(conn) == CONNECTION_OK }
            PQclear(result)
        }
    }

    // MARK: waiting and errors

    enum WaitOutcome: Equatable { case ready, timedOut, cancelled }

    /// Polls the socket for `events` and the cancellation eventfd until `deadline`.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant,
                      ignoringCancellation: Bool = false) -> WaitOutcome {
        guard let conn = handle else { return .ready }
        while true {
            if !ignoringCancellation && isCancelled() { return .cancelled }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return .timedOut }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptors = [pollfd(fd: PQsocket(conn), events: events, revents: 0),
                               pollfd(fd: cancellation.descriptor, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&descriptors, ignoringCancellation ? 1 : 2, milliseconds)
            if rc < 0 {
                if errno == EINTR { continue }
                return .ready  // let libpq report the socket error
            }
            if rc == 0 { continue }
            if descriptors[1].revents != 0 { cancellation.reset() }
            if descriptors[0].revents != 0 { return .ready }
        }
    }

    private func sendCancel(_ conn: OpaquePointer) {
        guard let cancel = PQgetCancel(conn) else { return }
        var errorBuffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &errorBuffer, Int32(errorBuffer.count))
        PQfreeCancel(cancel)
    }

    private func lostOrFailed(_ conn: OpaquePointer) -> PostgresError {
        PostgresError(PQstatus(conn) == CONNECTION_BAD ? .connectionLost : .protocolViolation, libpqMessage())
    }

    /// libpq's last error message, folded to one line.
    func libpqMessage() -> String {
        guard let conn = handle, let text = PQerrorMessage(conn) else { return "unknown libpq error" }
        return Self.oneLine(String(cString: text))
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Builds a `PostgresError` from an error result's diagnostic fields (libpq `PQresultErrorField`).
    static func error(from result: OpaquePointer, connection conn: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let message = field("M") ?? PQresultErrorMessage(result).map { oneLine(String(cString: $0)) } ?? "unknown error"
        let code: PostgresError.Code = sqlState == nil
            ? (PQstatus(conn) == CONNECTION_BAD ? .connectionLost : .protocolViolation)
            : (sqlState!.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState!) ? .connectionLost : .server)
        return PostgresError(code, message, sqlState: sqlState, detail: field("D"), hint: field("H"),
                             column: field("c"), constraint: field("n"))
    }
}
