/// An attribute of an element: the name as written and the normalized value (XML 1.0 §3.3.3:
/// references replaced, each white-space character a space).
public struct XMLAttribute: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
