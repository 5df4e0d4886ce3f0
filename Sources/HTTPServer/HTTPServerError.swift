import Glibc

/// The one error type of the `HTTPServer` module; socket failures carry `errno`.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case socket, bind, listen, invalidAddress = "invalid_address"
        /// The client closed the connection (a streaming producer should stop).
        case peerClosed = "peer_closed"
        case shuttingDown = "shutting_down"
    }

    public let code: Code
    public let errno: Int32
    public let message: String

    public init(_ code: Code, errno: Int32 = 0, _ message: String = "") {
        self.code = code
        self.errno = errno
        self.message = message
    }

    public var description: String {
        errno == 0 ? "\(code.rawValue): \(message)" : "\(code.rawValue): \(message) (\(String(cString: strerror(errno))))"
    }
}
