/// Why a document could not be read.
public enum XMLError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(Int, limit: Int)
    case malformed(String, at: Int)
    /// The document is XML but not the one expected (`<Retention>` without `<Mode>`, …).
    case unexpected(String)

    public var description: String {
        switch self {
        case .tooLarge(let n, let limit): "xml document of \(n) bytes is larger than \(limit)"
        case .malformed(let why, let at): "malformed xml at byte \(at): \(why)"
        case .unexpected(let why): "unexpected xml document: \(why)"
        }
    }
}
