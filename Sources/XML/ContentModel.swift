/// An element's content model from a DTD (XML 1.0 §3.2): names combined by sequence `,`,
/// choice `|` and the occurrence marks `?`, `*`, `+`. Matched by Brzozowski derivatives
/// ("Derivatives of Regular Expressions", JACM 1964), which need no determinism: the GDPdU DTD's
/// `Media` model `(Name, Command*, Table*, Command*, AcceptNoTables?)` is ambiguous, which
/// libxml2 refuses outright (docs/gobd-bao-export.md §5) but which states the same language.
public indirect enum ContentModel: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case sequence([ContentModel])
    case choice([ContentModel])
    case optional(ContentModel)
    case zeroOrMore(ContentModel)
    case oneOrMore(ContentModel)
    /// Matches only the empty sequence (what remains after a completed name).
    case empty
    /// Matches nothing (a name where another was required).
    case nothing

    /// Whether `names`, the child element names in order, match this model.
    public func matches(_ names: [String]) -> Bool {
        var model = self
        for n in names {
            model = model.derivative(n)
            if model == .nothing { return false }
        }
        return model.nullable
    }

    /// The names that may come next after `prefix` (for a finding's explanation), sorted.
    public func expected(after prefix: [String]) -> [String] {
        var model = self
        for n in prefix { model = model.derivative(n) }
        return model.firstNames.sorted()
    }

    var nullable: Bool {
        switch self {
        case .name, .nothing: false
        case .empty, .optional, .zeroOrMore: true
        case .oneOrMore(let m): m.nullable
        case .sequence(let ms): ms.allSatisfy(\.nullable)
        case .choice(let ms): ms.contains(where: \.nullable)
        }
    }

    var firstNames: Set<String> {
        switch self {
        case .name(let n): return [n]
        case .empty, .nothing: return []
        case .optional(let m), .zeroOrMore(let m), .oneOrMore(let m): return m.firstNames
        case .choice(let ms): return ms.reduce(into: Set()) { $0.formUnion($1.firstNames) }
        case .sequence(let ms):
            var names = Set<String>()
            for m in ms {
                names.formUnion(m.firstNames)
                if !m.nullable { break }
            }
            return names
        }
    }

    /// What remains to match after the name `n`.
    func derivative(_ n: String) -> ContentModel {
        switch self {
        case .name(let m): return m == n ? .empty : .nothing
        case .empty, .nothing: return .nothing
        case .optional(let m): return m.derivative(n)
        case .zeroOrMore(let m), .oneOrMore(let m): return Self.sequenceOf([m.derivative(n), .zeroOrMore(m)])
        case .choice(let ms): return Self.choiceOf(ms.map { $0.derivative(n) })
        case .sequence(let ms):
            guard let first = ms.first else { return .nothing }
            let rest = Array(ms.dropFirst())
            let headed = Self.sequenceOf([first.derivative(n)] + rest)
            return first.nullable ? Self.choiceOf([headed, Self.sequenceOf(rest).derivative(n)]) : headed
        }
    }

    /// A sequence simplified: `nothing` absorbs, `empty` drops out.
    static func sequenceOf(_ ms: [ContentModel]) -> ContentModel {
        if ms.contains(.nothing) { return .nothing }
        let kept = ms.filter { $0 != .empty }
        switch kept.count {
        case 0: return .empty
        case 1: return kept[0]
        default: return .sequence(kept)
        }
    }

    /// A choice simplified: `nothing` drops out, duplicates once.
    static func choiceOf(_ ms: [ContentModel]) -> ContentModel {
        var kept: [ContentModel] = []
        for m in ms where m != .nothing && !kept.contains(m) { kept.append(m) }
        switch kept.count {
        case 0: return .nothing
        case 1: return kept[0]
        default: return .choice(kept)
        }
    }

    public var description: String {
        switch self {
        case .name(let n): n
        case .sequence(let ms): "(" + ms.map(\.description).joined(separator: ",") + ")"
        case .choice(let ms): "(" + ms.map(\.description).joined(separator: "|") + ")"
        case .optional(let m): m.description + "?"
        case .zeroOrMore(let m): m.description + "*"
        case .oneOrMore(let m): m.description + "+"
        case .empty: "()"
        case .nothing: "(nothing)"
        }
    }
}
