/// A threshold assignment that could not be applied.
public struct ThresholdError: Error, Equatable, CustomStringConvertible {
    public let assignment: String
    public let reason: String

    public var description: String { "threshold '\(assignment)': \(reason)" }
}
