/// `pgbackrest info` output that cannot be used; recorded as a failure, never guessed around.
public struct InfoDecodingError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
