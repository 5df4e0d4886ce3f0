import ObjectStore
import XML

/// Everything that can go wrong talking to S3, as data: where (connecting, TLS, the HTTP
/// exchange), S3's own answer, or a refusal decided here before anything was sent.
public enum ObjectStoreError: Error, Sendable, CustomStringConvertible {
    /// Resolving, connecting, reading or writing the socket (errno's text), or a timeout.
    case connection(String)
    /// TLS: configuration, handshake or certificate verification.
    case tls(String)
    /// The server's answer is not HTTP/1.1 we can read, or ended early.
    case protocolViolation(String)
    /// S3 answered with an error.
    case s3(S3Error)
    /// A document in the answer is not what was expected.
    case document(XMLError)
    /// Refused here: bad configuration or arguments (a shorter retention, a bucket that is no
    /// WORM store, a local file that cannot be read).
    case refused(String)

    public var description: String {
        switch self {
        case .connection(let why): "cannot reach the object store: \(why)"
        case .tls(let why): why
        case .protocolViolation(let why): "the object store's answer is unreadable: \(why)"
        case .s3(let error): error.description
        case .document(let error): error.description
        case .refused(let why): why
        }
    }

    /// Worth another try after a pause: connection trouble, and S3's retryable answers.
    public var isRetryable: Bool {
        switch self {
        case .connection: true
        case .s3(let error): error.isRetryable
        default: false
        }
    }
}
