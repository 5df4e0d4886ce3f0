import Foundation
import Glibc

/// A raw-bytes HTTP/1.1 client for live server tests: it sends exactly the bytes it is given
/// (malformed, split, pipelined) and reads responses with deadlines. Every call blocks, so tests
/// run it through `RawHTTPClient.offload`, on a thread of its own, never on the cooperative pool
/// the server's handlers need.
public final class RawHTTPClient: @unchecked Sendable {
    // @unchecked Sendable: one test uses one client from one thread at a time.
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// A parsed response.
    public struct Response: Sendable, CustomStringConvertible {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var description: String { "\(status) \(headers.map { "\($0.name): \($0.value)" }) \(bodyText.prefix(200))" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Connects to `host:port`; from the loopback address `source` when given (127.0.0.2 is
    /// another client to a server's per-client limits).
    public init(port: Int, host: String = "127.0.0.1", source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw Failure(description: "bind to \(source): errno \(errno)") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // On failure `deinit` closes the descriptor (it runs for a class whose stored properties
        // are all set, even when init throws), so it must not be closed here too.
        guard rc == 0 else { throw Failure(description: "connect to \(host):\(port): errno \(errno)") }
    }

    deinit { Glibc.close(fd) }

    /// Sends `request` on a new connection and reads one response (`head`: a response to HEAD,
    /// no body), on a thread of its own.
    public static func exchange(port: Int, _ request: String, head: Bool = false, timeout: Double = 5) async throws -> Response {
        try await offload {
            let c = try RawHTTPClient(port: port)
            try c.send(request)
            return try c.readResponse(timeout: timeout, head: head)
        }
    }

    /// `GET target` with optional extra header lines (each ending in CRLF), on a new connection.
    public static func exchangeGET(port: Int, _ target: String, headers: String = "") async throws -> Response {
        try await exchange(port: port, "GET \(target) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n", timeout: 10)
    }

    /// Polls `GET target` every 250 ms until it answers `status`, for up to `seconds`: whether a
    /// server the test started is up.
    public static func awaitStatus(port: Int, _ target: String, _ status: Int = 200, within seconds: Double = 20) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await exchangeGET(port: port, target).status) == status { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Runs blocking client work on a dedicated thread.
    public static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Blocking.run(body)
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += n
        }
    }

    /// Half-closes the sending side (the server sees EOF).
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads once (up to 64 KiB) within `timeout`; nil on timeout, [] on EOF.
    func readSome(timeout: Double) throws -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let rc = poll(&p, 1, Int32(timeout * 1000))
        if rc == 0 { return nil }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            if errno == ECONNRESET { return [] }
            throw Failure(description: "recv: errno \(errno)")
        }
        return Array(chunk[0..<n])
    }

    /// Reads a response head (through its empty line); what came after it stays buffered.
    public func readHeadText(timeout: Double = 5) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let k = (0..<max(0, buffer.count - 3)).first(where: { Array(buffer[$0..<$0 + 4]) == end }) {
                defer { buffer.removeFirst(k + 4) }
                return String(decoding: buffer[0..<k + 4], as: UTF8.self)
            }
            guard let bytes = try readSome(timeout: max(0.01, deadline.timeIntervalSinceNow)), !bytes.isEmpty else {
                throw Failure(description: "no complete response head")
            }
            buffer += bytes
        }
    }

    /// Reads and drops `count` bytes, those already buffered first (or until the server closes,
    /// or `timeout` passes between two reads), calling `progress` with the running total after
    /// each read; returns the total and the last bytes read (at most 16). For bodies too large
    /// to keep.
    public func discard(_ count: Int, timeout: Double = 10, progress: (Int) -> Void = { _ in }) throws -> (total: Int, tail: [UInt8]) {
        var total = min(count, buffer.count)
        var tail = Array(buffer[0..<total].suffix(16))
        buffer.removeFirst(total)
        var scratch = [UInt8](repeating: 0, count: 1 << 20)
        while total < count {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(timeout * 1000)) > 0 else { break }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - total), 0) }
            if n <= 0 { break }
            total += n
            tail = Array((tail + scratch[max(0, n - 16)..<n]).suffix(16))
            progress(total)
        }
        return (total, tail)
    }

    /// True if the server closes the connection within `timeout` (reading and dropping bytes).
    public func waitForClose(timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let bytes = try readSome(timeout: max(0.01, deadline.timeIntervalSinceNow)) else { return false }
            if bytes.isEmpty { return true }
            buffer += bytes
        }
        return false
    }

    /// Everything received until the server closes or `timeout` passes.
    public func readUntilClose(timeout: Double) throws -> [UInt8] {
        _ = try waitForClose(timeout: timeout)
        defer { buffer = [] }
        return buffer
    }

    /// Reads one response (framed by Content-Length, chunked, or close), within `timeout`.
    /// `head: true` reads a HEAD response (no body whatever the fields say).
    public func readResponse(timeout: Double = 5, head: Bool = false) throws -> Response {
        let deadline = Date().addingTimeInterval(timeout)
        func fill() throws -> Bool {
            guard let bytes = try readSome(timeout: max(0.01, deadline.timeIntervalSinceNow)) else {
                throw Failure(description: "timeout waiting for a response (have \(buffer.count) bytes: \(String(decoding: buffer.prefix(200), as: UTF8.self)))")
            }
            if bytes.isEmpty { return false }
            buffer += bytes
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.upperBound
            if headEnd == nil, try !fill() { throw Failure(description: "connection closed before a response head (\(buffer.count) bytes)") }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd!)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw Failure(description: "bad status line: \(statusLine)")
        }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let response = { (body: [UInt8]) in Response(status: status, headers: headers, body: body) }
        let field = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
        if head || status == 204 || status == 304 || (100..<200).contains(status) { return response([]) }
        if let length = field("content-length").flatMap({ Int($0) }) {
            while buffer.count < length { if try !fill() { throw Failure(description: "closed inside a body") } }
            defer { buffer.removeFirst(length) }
            return response(Array(buffer[0..<length]))
        }
        if field("transfer-encoding")?.lowercased() == "chunked" {
            var body: [UInt8] = []
            while true {
                while buffer.firstRange(of: [13, 10]) == nil { if try !fill() { throw Failure(description: "closed inside chunks") } }
                let lineEnd = buffer.firstRange(of: [13, 10])!
                let size = Int(String(decoding: buffer[0..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? -1
                guard size >= 0 else { throw Failure(description: "bad chunk size") }
                buffer.removeFirst(lineEnd.upperBound)
                while buffer.count < size + 2 { if try !fill() { throw Failure(description: "closed inside a chunk") } }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { return response(body) }
            }
        }
        // close-delimited
        while try fill() {}
        defer { buffer = [] }
        return response(buffer)
    }

    /// Reads exactly `count` raw bytes (for `100 Continue` and similar).
    public func readRaw(_ count: Int, timeout: Double = 5) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while buffer.count < count {
            guard let bytes = try readSome(timeout: max(0.01, deadline.timeIntervalSinceNow)), !bytes.isEmpty else { break }
            buffer += bytes
        }
        let n = min(count, buffer.count)
        defer { buffer.removeFirst(n) }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// Sets a small receive buffer (before reading) so a non-reading client fills up quickly.
    public func setReceiveBuffer(_ bytes: Int32) {
        var value = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// Open file descriptors of this process (Linux), for leak checks.
public enum OpenFiles {
    public static func count() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }
}
