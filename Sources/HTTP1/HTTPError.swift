/// The one error type of the `HTTP1` module: why a request is refused, as the status to answer
/// with and a stable reason code. Every parse error closes the connection after the response
/// (conformance principle 3: one error response, then close).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    /// A stable, lowercase reason (`bare_cr`, `duplicate_content_length`, …) for logs and tests.
    public let reason: String

    public init(_ status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }

    static func bad(_ reason: String) -> HTTPError { HTTPError(400, reason) }
}
