/// Why a stored checkpoint object could not be read as an `audit-checkpoint-v1`.
public struct CheckpointFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
