/// What a DTD declares an element may contain (XML 1.0 §3.2).
public enum ElementDeclaration: Sendable, Equatable, CustomStringConvertible {
    /// `EMPTY`: no content at all.
    case empty
    /// `ANY`.
    case any
    /// `(#PCDATA)` or `(#PCDATA | a | b)*`: text, with the named elements anywhere in it.
    case mixed([String])
    /// Element content: children matching the model, white space only between them.
    case children(ContentModel)

    public var description: String {
        switch self {
        case .empty: "EMPTY"
        case .any: "ANY"
        case .mixed(let names): names.isEmpty ? "(#PCDATA)" : "(#PCDATA|" + names.joined(separator: "|") + ")*"
        case .children(let model): model.description
        }
    }
}
