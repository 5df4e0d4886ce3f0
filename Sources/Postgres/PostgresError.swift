/// The one error type of the `Postgres` module.
///
/// `code` is stable and safe to show or log; `message`, `detail` and `hint` come from the server or
/// from libpq and may quote data, so they are for logs and operators, never for HTTP clients (the
/// API layer maps `category` to a problem+json type instead).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public enum Code: String, Sendable {
        /// The connection could not be established (bad URL, refused, authentication, timeout).
        case connectionFailed = "connection_failed"
        /// An established connection broke (server restart, network).
        case connectionLost = "connection_lost"
        /// The per-query timeout fired; the query was cancelled on the server.
        case timeout
        /// The caller's task was cancelled; the query was cancelled on the server.
        case cancelled
        /// No pooled connection became free within the checkout timeout.
        case poolExhausted = "pool_exhausted"
        /// The pool was shut down.
        case poolClosed = "pool_closed"
        /// A bound parameter cannot be sent (for example a NUL byte in text).
        case invalidParameter = "invalid_parameter"
        /// A result value could not be decoded into the requested Swift type.
        case decoding
        /// The server answered with an error (see `sqlState`).
        case server
        /// The server or libpq did something the protocol does not allow here.
        case protocolViolation = "protocol_violation"
    }

    /// How callers should react, derived from the SQLSTATE class (PostgreSQL manual, Appendix A).
    public enum Category: String, Sendable {
        case conflict          // 23505 unique_violation, 23P01 exclusion_violation
        case retryable         // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
        case invalidInput      // class 22 data exception, 23502/23503/23514 integrity
        case permissionDenied  // 42501 insufficient_privilege, 28xxx authorization
        case unavailable       // class 08, 57P01-57P03, connection failures, pool exhaustion
        case timeout           // 57014 query_canceled after our timeout
        case cancelled
        case programming       // class 42 (syntax, undefined objects), decoding, protocol
        case other
    }

    public let code: Code
    public let message: String
    public let sqlState: String?
    public let detail: String?
    public let hint: String?
    /// The column (decoding errors) or constraint (integrity errors) involved, when known.
    public let column: String?
    public let constraint: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil,
                hint: String? = nil, column: String? = nil, constraint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.column = column
        self.constraint = constraint
    }

    /// The reaction class of this error.
    public var category: Category {
        switch code {
        case .connectionFailed, .connectionLost, .poolExhausted, .poolClosed: return .unavailable
        case .timeout: return .timeout
        case .cancelled: return .cancelled
        case .invalidParameter: return .invalidInput
        case .decoding, .protocolViolation: return .programming
        case .server: return Self.category(forSQLState: sqlState ?? "")
        }
    }

    /// Maps a SQLSTATE to a category.
    public static func category(forSQLState state: String) -> Category {
        switch state {
        case "23505", "23P01": return .conflict
        case "40001", "40P01", "55P03": return .retryable
        case "42501": return .permissionDenied
        case "57014": return .timeout
        case "57P01", "57P02", "57P03", "53300": return .unavailable
        case "23502", "23503", "23514": return .invalidInput
        default: break
        }
        switch state.prefix(2) {
        case "22": return .invalidInput
        case "28": return .permissionDenied
        case "08": return .unavailable
        case "42": return .programming
        case "40": return .retryable
        default: return .other
        }
    }

    /// One line: `code: message (SQLSTATE x)`, plus detail and hint when present.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail, !detail.isEmpty { text += "; detail: \(detail)" }
        if let hint, !hint.isEmpty { text += "; hint: \(hint)" }
        return text
    }
}
