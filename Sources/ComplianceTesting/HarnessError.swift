/// A test-harness failure with a message that says what to fix (never a silent skip).
public struct HarnessError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
