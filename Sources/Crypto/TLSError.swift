/// Why a TLS connection failed: the step, OpenSSL's reason (its error queue, or the
/// certificate verification result), never data from the connection.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case configuration, handshake, verification, read, write
    }

    public let step: Step
    public let reason: String

    public init(_ step: Step, _ reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "tls \(step.rawValue) failed: \(reason)" }
}
