import Glibc

/// A connected TCP socket, blocking with send and receive timeouts: the S3 client's transport
/// (it runs on its caller's thread, never on an event loop). Owns the descriptor.
final class ClientSocket {
    private(set) var fd: Int32

    /// Resolves `host` and connects to the first address that answers within `timeout` seconds.
    init(host: String, port: Int, timeout: Double) throws(ObjectStoreError) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let a = entry {
            entry = a.pointee.ai_next
            let s = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), a.pointee.ai_protocol)
            guard s >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if Self.connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen, timeout: timeout, error: &lastError) {
                _ = fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK)
                var one: Int32 = 1
                setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                fd = s
                return
            }
            Glibc.close(s)
        }
        throw .connection("cannot connect to \(host):\(port): \(lastError)")
    }

    private static func connect(_ s: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, timeout: Double,
                                error: inout String) -> Bool {
        if Glibc.connect(s, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { error = String(cString: strerror(errno)); return false }
        var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&p, 1, Int32(timeout * 1000))
        guard ready == 1 else { error = ready == 0 ? "timed out after \(timeout) s" : String(cString: strerror(errno)); return false }
        var soError: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(s, SOL_SOCKET, SO_ERROR, &soError, &size)
        guard soError == 0 else { error = String(cString: strerror(soError)); return false }
        return true
    }

    deinit { close() }

    /// Reads what is there, up to `buffer.count`: the count, 0 at the peer's end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ObjectStoreError) -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .connection(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out waiting for the answer" : String(cString: strerror(errno)))
        }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw .connection(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "timed out sending" : String(cString: strerror(errno)))
        }
    }

    /// Closes the descriptor; idempotent.
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
