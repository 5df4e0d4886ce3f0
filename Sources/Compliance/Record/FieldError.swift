/// A member of a writer's JSON that is missing, unknown or invalid: names the member.
public struct FieldError: Error, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public var description: String { "\(field): \(reason)" }

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
}
