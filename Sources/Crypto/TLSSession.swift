import COpenSSL
import Glibc

/// One TLS connection (an `SSL`), blocking: reads and writes wait as long as the socket's
/// timeouts allow. Owns the `SSL`; the socket belongs to the caller, who closes it after `close`.
public final class TLSSession: @unchecked Sendable {
    // @unchecked Sendable: used by one thread at a time (the connection's owner).
    private var ssl: OpaquePointer?

    init(ssl: OpaquePointer) {
        self.ssl = ssl
    }

    deinit { close() }

    /// Reads up to `buffer.count` bytes: the count, 0 at the peer's close_notify or end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> Int {
        guard let ssl, let base = buffer.baseAddress else { throw TLSError(.read, "closed") }
        ERR_clear_error()
        let n = SSL_read(ssl, base, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        let error = SSL_get_error(ssl, n)
        // A peer that closes without close_notify after a complete response is common; the
        // HTTP framing above tells a truncated body from a finished one.
        if error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0) { return 0 }
        throw TLSError(.read, failure(n))
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        guard let ssl else { throw TLSError(.write, "closed") }
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let n = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, Int(Int32.max))))
            guard n > 0 else { throw TLSError(.write, failure(n)) }
            offset += Int(n)
        }
    }

    /// Sends close_notify (best effort) and frees the session; idempotent.
    public func close() {
        guard let s = ssl else { return }
        ssl = nil
        ERR_clear_error()
        _ = SSL_shutdown(s)
        SSL_free(s)
        ERR_clear_error()
    }

    /// Why the last call with result `result` failed.
    func failure(_ result: Int32) -> String {
        guard let ssl else { return "closed" }
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_SYSCALL:
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return "timed out" }
            return e == 0 ? "the connection was closed" : String(cString: strerror(e))
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return "timed out"
        default: return TLSContext.queuedError()
        }
    }
}
