/// The element declarations of an external DTD file (XML 1.0 §3.2), parsed so that a document
/// can be validated against them without any other program: comments and a leading text
/// declaration are skipped; attribute-list, entity and notation declarations, parameter-entity
/// references and conditional sections are refused with a reason (the GDPdU grammar has none,
/// docs/gobd-bao-export.md §1) — a DTD we cannot read completely is never half-applied.
public struct DocumentTypeDefinition: Sendable, Equatable {
    /// Element name → declaration, and the names in file order.
    public private(set) var elements: [String: ElementDeclaration] = [:]
    public private(set) var order: [String] = []

    public init(elements: [(String, ElementDeclaration)]) {
        for (name, declaration) in elements {
            self.elements[name] = declaration
            order.append(name)
        }
    }

    /// Parses `bytes`, or says why not (with the byte offset).
    public static func parse(_ bytes: [UInt8]) -> Result<DocumentTypeDefinition, XMLError> {
        guard String(validating: bytes, as: UTF8.self) != nil else { return .failure(.malformed("the DTD is not UTF-8", at: 0)) }
        var parser = Parser(bytes: bytes)
        do {
            return .success(try parser.run())
        } catch let error as XMLError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(error)", at: parser.index))
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        func peek(_ k: Int = 0) -> UInt8? { index + k < bytes.count ? bytes[index + k] : nil }

        func starts(with literal: String) -> Bool {
            let l = Array(literal.utf8)
            return index + l.count <= bytes.count && bytes[index..<index + l.count].elementsEqual(l)
        }

        mutating func skipSpace() {
            while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func skip(past terminator: String, what: String) throws {
            let t = Array(terminator.utf8)
            while index + t.count <= bytes.count {
                if bytes[index..<index + t.count].elementsEqual(t) {
                    index += t.count
                    return
                }
                index += 1
            }
            throw XMLError.malformed("unterminated \(what) in the DTD", at: index)
        }

        mutating func run() throws -> DocumentTypeDefinition {
            var declarations: [(String, ElementDeclaration)] = []
            var seen = Set<String>()
            if starts(with: "<?xml") { try skip(past: "?>", what: "text declaration") }
            while true {
                skipSpace()
                guard index < bytes.count else { break }
                if starts(with: "<!--") {
                    index += 4
                    try skip(past: "-->", what: "comment")
                } else if starts(with: "<!ELEMENT") {
                    let at = index
                    index += 9
                    let (name, declaration) = try element()
                    guard seen.insert(name).inserted else { throw XMLError.malformed("element \(name) declared twice", at: at) }
                    declarations.append((name, declaration))
                } else if starts(with: "<!ATTLIST") || starts(with: "<!ENTITY") || starts(with: "<!NOTATION") || starts(with: "%")
                            || starts(with: "<![") || starts(with: "<?") {
                    throw XMLError.malformed("only element declarations and comments are read from the DTD", at: index)
                } else {
                    throw XMLError.malformed("unexpected text in the DTD", at: index)
                }
            }
            return DocumentTypeDefinition(elements: declarations)
        }

        mutating func name() throws -> String {
            let start = index
            while let b = peek(), b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
                                   || (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b >= 0x80 {
                index += 1
            }
            guard index > start else { throw XMLError.malformed("expected a name in the DTD", at: index) }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// After `<!ELEMENT`: S Name S contentspec S? `>`.
        mutating func element() throws -> (String, ElementDeclaration) {
            skipSpace()
            let elementName = try name()
            skipSpace()
            let declaration: ElementDeclaration
            if starts(with: "EMPTY") {
                index += 5
                declaration = .empty
            } else if starts(with: "ANY") {
                index += 3
                declaration = .any
            } else if peek() == UInt8(ascii: "(") {
                let save = index
                index += 1
                skipSpace()
                if starts(with: "#PCDATA") {
                    index += 7
                    declaration = .mixed(try mixed())
                } else {
                    index = save
                    declaration = .children(try particle())
                }
            } else {
                throw XMLError.malformed("expected EMPTY, ANY or a content model for \(elementName)", at: index)
            }
            skipSpace()
            guard peek() == UInt8(ascii: ">") else { throw XMLError.malformed("expected > to end the declaration of \(elementName)", at: index) }
            index += 1
            return (elementName, declaration)
        }

        /// After `(#PCDATA`: `)` or `(| Name)* )*`.
        mutating func mixed() throws -> [String] {
            var names: [String] = []
            while true {
                skipSpace()
                if peek() == UInt8(ascii: ")") {
                    index += 1
                    if peek() == UInt8(ascii: "*") {
                        index += 1
                    } else if !names.isEmpty {
                        throw XMLError.malformed("mixed content with names must end in )*", at: index)
                    }
                    return names
                }
                guard peek() == UInt8(ascii: "|") else { throw XMLError.malformed("expected | or ) in mixed content", at: index) }
                index += 1
                skipSpace()
                names.append(try name())
            }
        }

        /// A content particle: a name or a parenthesised choice or sequence, with `?`, `*` or `+`.
        mutating func particle() throws -> ContentModel {
            var model: ContentModel
            if peek() == UInt8(ascii: "(") {
                index += 1
                skipSpace()
                var items = [try particle()]
                var separator: UInt8?
                while true {
                    skipSpace()
                    guard let b = peek() else { throw XMLError.malformed("unterminated content model", at: index) }
                    if b == UInt8(ascii: ")") {
                        index += 1
                        break
                    }
                    guard b == UInt8(ascii: ",") || b == UInt8(ascii: "|") else { throw XMLError.malformed("expected , | or ) in a content model", at: index) }
                    guard separator == nil || separator == b else { throw XMLError.malformed("',' and '|' mixed in one group", at: index) }
                    separator = b
                    index += 1
                    skipSpace()
                    items.append(try particle())
                }
                model = separator == UInt8(ascii: "|") ? .choice(items) : .sequence(items)
            } else {
                model = .name(try name())
            }
            switch peek() {
            case UInt8(ascii: "?"): index += 1; return .optional(model)
            case UInt8(ascii: "*"): index += 1; return .zeroOrMore(model)
            case UInt8(ascii: "+"): index += 1; return .oneOrMore(model)
            default: return model
            }
        }
    }
}
