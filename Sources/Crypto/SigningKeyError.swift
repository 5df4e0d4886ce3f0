/// Why a signing or verification key could not be used: what was wrong with it, in words
/// (OpenSSL's reason where it has one), never the key's bytes.
public struct SigningKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
