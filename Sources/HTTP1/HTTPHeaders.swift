/// Header fields as an ordered list (never a dictionary: duplicates matter for framing, and order
/// for list-valued fields; RFC 9110 §5.2–5.3). Names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// ASCII case-insensitive name comparison (field names are tokens, RFC 9110 §5.1),
        /// without allocating a lowercased copy.
        public func hasName(_ other: String) -> Bool {
            let a = name.utf8, b = other.utf8
            guard a.count == b.count else { return false }
            // Native strings are contiguous UTF-8: compare the bytes directly (iterating two
            // UTF8Views in step costs an index step per byte, on every header lookup).
            let direct = a.withContiguousStorageIfAvailable { pa in
                b.withContiguousStorageIfAvailable { pb -> Bool in
                    for i in 0..<pa.count where ByteClass.lower(pa[i]) != ByteClass.lower(pb[i]) { return false }
                    return true
                }
            }
            if let direct, let equal = direct { return equal }
            return zip(a, b).allSatisfy { ByteClass.lower($0) == ByteClass.lower($1) }
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Room for `count` fields without growing the storage again.
    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.hasName(name) }
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? {
        // Index loop with the length compared first, in place: `first(where:)`, or a call per
        // field, copies every field it looks at (two strings retained and released) first.
        let count = name.utf8.count
        for i in fields.indices where fields[i].name.utf8.count == count && fields[i].hasName(name) { return fields[i].value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.hasName(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

extension Substring {
    /// Without leading and trailing SP/HTAB (OWS, RFC 9110 §5.6.3).
    public func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
