/// One thing wrong with a package: the member (nil: the package as a whole), the line of a
/// data file when there is one, and what is wrong.
public struct PackageFinding: Sendable, Equatable, CustomStringConvertible {
    public let member: String?
    public let line: Int?
    public let message: String

    public init(_ member: String?, line: Int? = nil, _ message: String) {
        self.member = member
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (member, line) {
        case (let m?, let l?): "\(m) line \(l): \(message)"
        case (let m?, nil): "\(m): \(message)"
        default: message
        }
    }
}
