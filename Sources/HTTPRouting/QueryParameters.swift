/// The query of a request target as name/value pairs, in order, repeated names kept
/// (`type=a&type=b`). Percent-decoding is strict: a `%` not followed by two hex digits, or bytes
/// that are not UTF-8 after decoding, are errors that name the parameter. `+` stays a plus sign
/// (RFC 3986; form encoding's "+ means space" would corrupt `+01:00` offsets).
public struct QueryParameters: Sendable, Equatable {
    public struct Invalid: Error, Equatable {
        public let parameter: String
    }

    public private(set) var pairs: [(name: String, value: String)] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public init(_ query: String?) throws(Invalid) {
        guard let query, !query.isEmpty else { return }
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue) = part.firstIndex(of: "=").map { (part[..<$0], part[part.index(after: $0)...]) } ?? (part, "")
            guard let name = Self.decode(rawName) else { throw Invalid(parameter: String(rawName)) }
            guard let value = Self.decode(rawValue) else { throw Invalid(parameter: name) }
            pairs.append((name, value))
        }
    }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The single value of `name`; a repeated single-valued parameter is an error.
    public func value(_ name: String) throws(Invalid) -> String? {
        let all = values(name)
        guard all.count <= 1 else { throw Invalid(parameter: name) }
        return all.first
    }

    /// Names present that are not in `known`.
    public func unknown(_ known: Set<String>) -> [String] {
        var seen = Set<String>()
        return pairs.map(\.name).filter { !known.contains($0) && seen.insert($0).inserted }
    }

    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let c = it.next() {
            guard c == UInt8(ascii: "%") else {
                bytes.append(c)
                continue
            }
            guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
