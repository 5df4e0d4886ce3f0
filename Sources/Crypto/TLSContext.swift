import COpenSSL
import Glibc

/// The client side of TLS (OpenSSL's libssl): TLS 1.2 or later, the server's certificate
/// verified against the system's CAs or a CA bundle (`AWS_CA_BUNDLE`), its name checked against
/// the host connected to (DNS name or IP address, RFC 6125), SNI sent for names. One context is
/// shared by every connection of a client; it owns the `SSL_CTX`.
public final class TLSContext: @unchecked Sendable {
    // @unchecked Sendable: the SSL_CTX is configured in init and only read afterwards (SSL_new
    // takes it concurrently, which OpenSSL allows).
    let context: OpaquePointer

    /// `caBundle`: a PEM file of the CAs to trust instead of the system's.
    public init(caBundle: String? = nil) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw TLSError(.configuration, Self.queuedError()) }
        context = ctx
        guard imfc_ssl_ctx_set_min_tls12(ctx) == 1 else { throw TLSError(.configuration, Self.queuedError()) }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let caBundle {
            guard SSL_CTX_load_verify_locations(ctx, caBundle, nil) == 1 else {
                throw TLSError(.configuration, "cannot load the CA bundle \(caBundle): \(Self.queuedError())")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else { throw TLSError(.configuration, Self.queuedError()) }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Starts TLS on a connected socket (blocking, its timeouts set by the caller) and verifies
    /// the peer for `host`. The session owns neither the descriptor nor the context.
    public func connect(fd: Int32, host: String) throws(TLSError) -> TLSSession {
        guard let ssl = SSL_new(context) else { throw TLSError(.configuration, Self.queuedError()) }
        let session = TLSSession(ssl: ssl)
        if Self.isIPAddress(host) {
            // An IP address is matched against the certificate's IP SANs; no SNI (RFC 6066 §3).
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw TLSError(.configuration, "\(host) is not an ip address")
            }
        } else {
            guard imfc_ssl_set_sni(ssl, host) == 1, SSL_set1_host(ssl, host) == 1 else {
                throw TLSError(.configuration, Self.queuedError())
            }
        }
        guard SSL_set_fd(ssl, fd) == 1 else { throw TLSError(.configuration, Self.queuedError()) }
        ERR_clear_error()
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                throw TLSError(.verification, "the certificate of \(host) is not trusted: \(String(cString: X509_verify_cert_error_string(verify)))")
            }
            throw TLSError(.handshake, session.failure(result))
        }
        return session
    }

    /// Whether `host` is an IPv4 or IPv6 literal (matched against IP SANs) rather than a name.
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The oldest error on OpenSSL's queue for this thread, as text (and the queue cleared).
    static func queuedError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
