/// A record value that does not fit its description: a NULL in a NOT NULL column, a wrong kind,
/// an unknown enum value. Names the column; never a trap (the values come from outside).
public struct RecordError: Error, Equatable, CustomStringConvertible {
    public let column: String
    public let reason: String

    public init(column: String, reason: String) {
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(column): \(reason)" }
}
