/// Reads XML 1.0 documents of the subset S3 answers with and our packages carry: a prolog,
/// comments, elements with attributes, character data with the five predefined entities and
/// character references, CDATA — and, only when asked for, a document type declaration of the
/// one form `<!DOCTYPE Root SYSTEM "file">` (no internal subset, no public identifier: no entity
/// is ever declared, fetched or expanded, so there is no XXE). Bounded: at most `maxBytes` of
/// input and `maxDepth` levels. Anything else — an unclosed or mismatched tag, a repeated
/// attribute, text outside the root, bytes that are not UTF-8 — is refused, never guessed at.
public enum XMLReader {
    public static let maxBytes = 1 << 20
    public static let maxDepth = 32

    /// The root element of `bytes` (a document without a DOCTYPE), or why it is not one we read.
    public static func parse(_ bytes: [UInt8], maxBytes: Int = maxBytes) -> Result<XMLElement, XMLError> {
        parseDocument(bytes, maxBytes: maxBytes, allowDocumentType: false).map(\.root)
    }

    /// The document in `bytes`; `allowDocumentType` accepts a `<!DOCTYPE Root SYSTEM "file">`.
    public static func parseDocument(_ bytes: [UInt8], maxBytes: Int = maxBytes, allowDocumentType: Bool) -> Result<XMLDocument, XMLError> {
        guard bytes.count <= maxBytes else { return .failure(.tooLarge(bytes.count, limit: maxBytes)) }
        guard String(validating: bytes, as: UTF8.self) != nil else { return .failure(.malformed("not UTF-8", at: 0)) }
        var reader = Cursor(bytes: bytes)
        do {
            let encoding = try reader.declaration()
            var documentType: XMLDocument.DocumentType?
            try reader.skipMisc()
            if reader.starts(with: "<!DOCTYPE") {
                guard allowDocumentType else { throw XMLError.malformed("document type declarations are not read", at: reader.index) }
                documentType = try reader.documentType()
                try reader.skipMisc()
            }
            guard reader.peek() == UInt8(ascii: "<") else { throw XMLError.malformed("no root element", at: reader.index) }
            let root = try reader.element(depth: 1)
            try reader.skipMisc()
            guard reader.atEnd else { throw XMLError.malformed("content after the root element", at: reader.index) }
            return .success(XMLDocument(root: root, documentType: documentType, declaredEncoding: encoding))
        } catch let error as XMLError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(error)", at: reader.index))
        }
    }

    struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        func starts(with literal: String) -> Bool {
            let l = Array(literal.utf8)
            return index + l.count <= bytes.count && bytes[index..<index + l.count].elementsEqual(l)
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

        mutating func skipSpace() {
            while let b = peek(), Self.isSpace(b) { index += 1 }
        }

        /// Skips to just after `terminator`; throws when it never comes.
        mutating func skip(past terminator: String, what: String) throws {
            let t = Array(terminator.utf8)
            while index + t.count <= bytes.count {
                if bytes[index] == t[0] && bytes[index..<index + t.count].elementsEqual(t) {
                    index += t.count
                    return
                }
                index += 1
            }
            throw XMLError.malformed("unterminated \(what)", at: index)
        }

        /// The XML declaration, when the document starts with one (XML 1.0 §2.8); its encoding.
        mutating func declaration() throws -> String? {
            guard starts(with: "<?xml"), let b = peek(5), Self.isSpace(b) else { return nil }
            let start = index
            try skip(past: "?>", what: "XML declaration")
            let text = Substring(String(decoding: bytes[start..<index], as: UTF8.self))
            guard let at = text.indices.first(where: { text[$0...].hasPrefix("encoding") }) else { return nil }
            let rest = text[at...].dropFirst(8).drop { $0 == " " || $0 == "=" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
            return String(rest.dropFirst().prefix { $0 != quote })
        }

        /// White space, comments and processing instructions (a second XML declaration refused).
        mutating func skipMisc() throws {
            while true {
                skipSpace()
                if starts(with: "<?") {
                    if starts(with: "<?xml"), let b = peek(5), Self.isSpace(b) || b == UInt8(ascii: "?") {
                        throw XMLError.malformed("misplaced XML declaration", at: index)
                    }
                    try skip(past: "?>", what: "processing instruction")
                } else if starts(with: "<!--") {
                    index += 4
                    try skip(past: "-->", what: "comment")
                } else if starts(with: "<!") && !starts(with: "<![CDATA[") && !starts(with: "<!DOCTYPE") {
                    throw XMLError.malformed("declarations are not read", at: index)
                } else {
                    return
                }
            }
        }

        /// `<!DOCTYPE Name SYSTEM "literal">` (XML 1.0 §2.8), nothing else.
        mutating func documentType() throws -> XMLDocument.DocumentType {
            let start = index
            index += 9
            guard let b = peek(), Self.isSpace(b) else { throw XMLError.malformed("expected a name after <!DOCTYPE", at: index) }
            skipSpace()
            let root = try name()
            skipSpace()
            guard starts(with: "SYSTEM") else {
                throw XMLError.malformed("only <!DOCTYPE \(root) SYSTEM \"…\"> is read (no PUBLIC identifier, no internal subset)", at: start)
            }
            index += 6
            skipSpace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw XMLError.malformed("expected a quoted system identifier", at: index)
            }
            index += 1
            let literalStart = index
            while let c = peek(), c != quote { index += 1 }
            guard !atEnd else { throw XMLError.malformed("unterminated system identifier", at: literalStart) }
            let system = String(decoding: bytes[literalStart..<index], as: UTF8.self)
            index += 1
            skipSpace()
            guard peek() == UInt8(ascii: ">") else {
                throw XMLError.malformed("only <!DOCTYPE \(root) SYSTEM \"…\"> is read (no internal subset)", at: index)
            }
            index += 1
            return XMLDocument.DocumentType(rootName: root, systemID: system)
        }

        mutating func name() throws -> String {
            let start = index
            while let b = peek(), !(Self.isSpace(b) || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
                                     || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")) {
                index += 1
            }
            guard index > start else { throw XMLError.malformed("expected a name", at: index) }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// An element starting at `<`.
        mutating func element(depth: Int) throws -> XMLElement {
            guard depth <= XMLReader.maxDepth else { throw XMLError.malformed("nested deeper than \(XMLReader.maxDepth)", at: index) }
            index += 1
            let qualified = try name()
            var element = XMLElement(name: Self.localName(qualified), qualifiedName: qualified)
            while true {
                let hadSpace = peek().map(Self.isSpace) ?? false
                skipSpace()
                guard let b = peek() else { throw XMLError.malformed("unterminated start tag <\(qualified)>", at: index) }
                if b == UInt8(ascii: "/") {
                    guard peek(1) == UInt8(ascii: ">") else { throw XMLError.malformed("expected /> in <\(qualified)>", at: index) }
                    index += 2
                    return element
                }
                if b == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                guard hadSpace else { throw XMLError.malformed("attributes must be separated by white space in <\(qualified)>", at: index) }
                element.attributes.append(try attribute(in: qualified, existing: element.attributes))
            }
            var text: [UInt8] = []
            while true {
                guard let b = peek() else { throw XMLError.malformed("<\(qualified)> is never closed", at: index) }
                if b == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        index += 2
                        let closing = try name()
                        skipSpace()
                        guard closing == qualified, peek() == UInt8(ascii: ">") else {
                            throw XMLError.malformed("</\(closing)> closes <\(qualified)>", at: index)
                        }
                        index += 1
                        element.text = String(decoding: text, as: UTF8.self)
                        return element
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        let start = index
                        try skip(past: "]]>", what: "CDATA section")
                        text += bytes[start..<index - 3]
                    } else if starts(with: "<!--") || starts(with: "<?") {
                        try skipMisc()
                    } else if starts(with: "<!") {
                        throw XMLError.malformed("declarations are not read", at: index)
                    } else {
                        element.children.append(try self.element(depth: depth + 1))
                    }
                } else if b == UInt8(ascii: "&") {
                    text += try reference()
                } else {
                    text.append(b)
                    index += 1
                }
            }
        }

        /// `name="value"` or `name='value'`, the value normalized (XML 1.0 §3.3.3).
        mutating func attribute(in element: String, existing: [XMLAttribute]) throws -> XMLAttribute {
            let attributeName = try name()
            skipSpace()
            guard peek() == UInt8(ascii: "=") else { throw XMLError.malformed("attribute without a value in <\(element)>", at: index) }
            index += 1
            skipSpace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw XMLError.malformed("unquoted attribute value in <\(element)>", at: index)
            }
            index += 1
            var value: [UInt8] = []
            while let c = peek(), c != quote {
                guard c != UInt8(ascii: "<") else { throw XMLError.malformed("< in an attribute value", at: index) }
                if c == UInt8(ascii: "&") {
                    value += try reference()
                } else {
                    value.append(Self.isSpace(c) ? 0x20 : c)
                    index += 1
                }
            }
            guard !atEnd else { throw XMLError.malformed("unterminated attribute value", at: index) }
            index += 1
            guard !existing.contains(where: { $0.name == attributeName }) else {
                throw XMLError.malformed("attribute \(attributeName) repeated in <\(element)>", at: index)
            }
            return XMLAttribute(attributeName, String(decoding: value, as: UTF8.self))
        }

        /// `&name;` or `&#N;` / `&#xH;` at `&`, as UTF-8.
        mutating func reference() throws -> [UInt8] {
            let start = index
            index += 1
            while let b = peek(), b != UInt8(ascii: ";") {
                guard index - start < 12 else { throw XMLError.malformed("unterminated reference", at: start) }
                index += 1
            }
            guard !atEnd else { throw XMLError.malformed("unterminated reference", at: start) }
            let body = String(decoding: bytes[start + 1..<index], as: UTF8.self)
            index += 1
            switch body {
            case "amp": return [UInt8(ascii: "&")]
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var digits = Substring(body)
                guard digits.first == "#" else { throw XMLError.malformed("unknown entity &\(body);", at: start) }
                digits = digits.dropFirst()
                let radix = digits.first == "x" ? 16 : 10
                if radix == 16 { digits = digits.dropFirst() }
                var value: UInt32 = 0
                for c in digits.utf8 {
                    let d: UInt32
                    switch c {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: d = UInt32(c - UInt8(ascii: "a") + 10)
                    case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: d = UInt32(c - UInt8(ascii: "A") + 10)
                    default: throw XMLError.malformed("bad character reference &\(body);", at: start)
                    }
                    value = value * UInt32(radix) + d
                    guard value <= 0x10FFFF else { throw XMLError.malformed("bad character reference &\(body);", at: start) }
                }
                guard !digits.isEmpty, let scalar = Unicode.Scalar(value), value != 0 else {
                    throw XMLError.malformed("bad character reference &\(body);", at: start)
                }
                return Array(String(Character(scalar)).utf8)
            }
        }

        static func localName(_ qualified: String) -> String {
            guard let colon = qualified.lastIndex(of: ":") else { return qualified }
            return String(qualified[qualified.index(after: colon)...])
        }
    }
}
