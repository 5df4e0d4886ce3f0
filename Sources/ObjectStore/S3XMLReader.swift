/// Reads the XML documents S3 answers with (XML 1.0, the subset they use): a prolog, comments,
/// elements with attributes (skipped), character data with the five predefined entities and
/// character references, CDATA. Bounded: at most `maxBytes` of input and `maxDepth` levels.
/// Anything else — a DTD, an unclosed or mismatched tag, text outside the root — is refused,
/// never guessed at.
public enum S3XMLReader {
    public static let maxBytes = 1 << 20
    public static let maxDepth = 32

    /// The root element of `bytes`, or why it is not a document we read.
    public static func parse(_ bytes: [UInt8]) -> Result<XMLElement, S3XMLError> {
        guard bytes.count <= maxBytes else { return .failure(.tooLarge(bytes.count)) }
        var reader = Cursor(bytes: bytes)
        do {
            try reader.skipMisc(allowDeclaration: true)
            guard reader.peek() == UInt8(ascii: "<") else { throw S3XMLError.malformed("no root element", at: reader.index) }
            let root = try reader.element(depth: 1)
            try reader.skipMisc(allowDeclaration: false)
            guard reader.atEnd else { throw S3XMLError.malformed("content after the root element", at: reader.index) }
            return .success(root)
        } catch let error as S3XMLError {
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
            return index + l.count <= bytes.count && Array(bytes[index..<index + l.count]) == l
        }

        mutating func skipSpace() {
            while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        /// Skips to just after `terminator`; throws when it never comes.
        mutating func skip(past terminator: String, what: String) throws {
            let t = Array(terminator.utf8)
            while index + t.count <= bytes.count {
                if bytes[index] == t[0] && Array(bytes[index..<index + t.count]) == t {
                    index += t.count
                    return
                }
                index += 1
            }
            throw S3XMLError.malformed("unterminated \(what)", at: index)
        }

        /// White space, comments and processing instructions (the XML declaration first only).
        mutating func skipMisc(allowDeclaration: Bool) throws {
            while true {
                skipSpace()
                if starts(with: "<?") {
                    guard allowDeclaration || !starts(with: "<?xml") else { throw S3XMLError.malformed("misplaced XML declaration", at: index) }
                    try skip(past: "?>", what: "processing instruction")
                } else if starts(with: "<!--") {
                    try skip(past: "-->", what: "comment")
                } else if starts(with: "<!") && !starts(with: "<![CDATA[") {
                    throw S3XMLError.malformed("document type declarations are not read", at: index)
                } else {
                    return
                }
            }
        }

        mutating func name() throws -> String {
            let start = index
            while let b = peek(), !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">") || b == UInt8(ascii: "/")
                                     || b == UInt8(ascii: "=") || b == UInt8(ascii: "<")) {
                index += 1
            }
            guard index > start else { throw S3XMLError.malformed("expected a name", at: index) }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// An element starting at `<`.
        mutating func element(depth: Int) throws -> XMLElement {
            guard depth <= S3XMLReader.maxDepth else { throw S3XMLError.malformed("nested deeper than \(S3XMLReader.maxDepth)", at: index) }
            index += 1
            let qualified = try name()
            // Attributes: name="value" or name='value', skipped.
            while true {
                skipSpace()
                guard let b = peek() else { throw S3XMLError.malformed("unterminated start tag <\(qualified)>", at: index) }
                if b == UInt8(ascii: "/") {
                    guard peek(1) == UInt8(ascii: ">") else { throw S3XMLError.malformed("expected /> in <\(qualified)>", at: index) }
                    index += 2
                    return XMLElement(name: Self.localName(qualified))
                }
                if b == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                _ = try name()
                skipSpace()
                guard peek() == UInt8(ascii: "=") else { throw S3XMLError.malformed("attribute without a value in <\(qualified)>", at: index) }
                index += 1
                skipSpace()
                guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                    throw S3XMLError.malformed("unquoted attribute value in <\(qualified)>", at: index)
                }
                index += 1
                while let c = peek(), c != quote {
                    guard c != UInt8(ascii: "<") else { throw S3XMLError.malformed("< in an attribute value", at: index) }
                    index += 1
                }
                guard !atEnd else { throw S3XMLError.malformed("unterminated attribute value", at: index) }
                index += 1
            }
            var element = XMLElement(name: Self.localName(qualified))
            var text: [UInt8] = []
            while true {
                guard let b = peek() else { throw S3XMLError.malformed("<\(qualified)> is never closed", at: index) }
                if b == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        index += 2
                        let closing = try name()
                        skipSpace()
                        guard closing == qualified, peek() == UInt8(ascii: ">") else {
                            throw S3XMLError.malformed("</\(closing)> closes <\(qualified)>", at: index)
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
                        try skipMisc(allowDeclaration: false)
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

        /// `&name;` or `&#N;` / `&#xH;` at `&`, as UTF-8.
        mutating func reference() throws -> [UInt8] {
            let start = index
            index += 1
            while let b = peek(), b != UInt8(ascii: ";") {
                guard index - start < 12 else { throw S3XMLError.malformed("unterminated reference", at: start) }
                index += 1
            }
            guard !atEnd else { throw S3XMLError.malformed("unterminated reference", at: start) }
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
                guard digits.first == "#" else { throw S3XMLError.malformed("unknown entity &\(body);", at: start) }
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
                    default: throw S3XMLError.malformed("bad character reference &\(body);", at: start)
                    }
                    value = value * UInt32(radix) + d
                    guard value <= 0x10FFFF else { throw S3XMLError.malformed("bad character reference &\(body);", at: start) }
                }
                guard !digits.isEmpty, let scalar = Unicode.Scalar(value), value != 0 else {
                    throw S3XMLError.malformed("bad character reference &\(body);", at: start)
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
