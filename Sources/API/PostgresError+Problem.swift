import HTTP1
import HTTPRouting
import Postgres

/// Database failures a client can wait out are 503 with `Retry-After` (RFC 9110 §15.6.4,
/// §10.2.3); everything else stays a 500. libpq's text never reaches the client.
extension PostgresError: ProblemConvertible {
    public var problemResponse: HTTPResponse? {
        let detail: String
        switch category {
        case .unavailable: detail = code == .poolExhausted ? "all database connections are busy" : "the database is unreachable"
        case .timeout: detail = "the database did not answer in time"
        case .retryable: detail = "the database asked to retry (serialization failure or lock)"
        default: return nil
        }
        return Problem(status: 503, code: "database_unavailable", detail: detail).response(headers: RetryAfter.adding())
    }
}
