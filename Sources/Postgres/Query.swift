/// SQL text with bound parameters, built by string interpolation:
///
///     let q: Query = "SELECT * FROM organizations WHERE id = \(id) AND country = \(country)"
///
/// Every interpolated value becomes a `$n` placeholder and a binding; values never become SQL text.
/// SQL text itself can only come from string literals (or migration files via `init(unsafeSQL:)`).
public struct Query: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var bindings: [PostgresBinding]
    /// Run as a named prepared statement, cached per connection (see `prepared()`).
    public private(set) var usesPreparedStatement = false

    public init(stringLiteral value: StaticString) {
        sql = value.description
        bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        bindings = stringInterpolation.bindings
    }

    /// SQL text that does not come from a literal: only for trusted files such as `migrations/`.
    public init(unsafeSQL sql: String, bindings: [PostgresBinding] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    /// The same query, run as a named prepared statement that each connection prepares once
    /// and then reuses: the server parses and plans it once per connection (PostgreSQL keeps a
    /// generic plan after five custom ones when that is no worse). For hot, fixed-shape queries.
    public func prepared() -> Query {
        var q = self
        q.usesPreparedStatement = true
        return q
    }

    /// The SQL text only; bound values are never part of the description (they may be secrets).
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [PostgresBinding] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 4 * interpolationCount)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            sql += literal.description
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bindings.append(value.postgresBinding)
            sql += "$\(bindings.count)"
        }

        /// An optional value: nil binds SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bindings.append(value.map(\.postgresBinding) ?? .null())
            sql += "$\(bindings.count)"
        }

        /// Splices another query (its text and bindings, renumbered) into this one.
        public mutating func appendInterpolation(fragment: Query) {
            // Nothing to renumber when the fragment binds nothing, or when it is spliced first.
            if fragment.bindings.isEmpty || bindings.isEmpty {
                sql += fragment.sql
                bindings.append(contentsOf: fragment.bindings)
                return
            }
            // Renumber $n placeholders of the fragment. Fragments are built from literals, so a
            // '$' followed by digits is always a placeholder (dollar quoting is not used in them).
            // Scanned as UTF-8 bytes: '$' and digits are ASCII and never part of a longer sequence.
            let offset = bindings.count
            var text: [UInt8] = []
            text.reserveCapacity(fragment.sql.utf8.count + 8)
            let source = Array(fragment.sql.utf8)
            var i = 0
            while i < source.count {
                let c = source[i]
                if c == UInt8(ascii: "$") {
                    var j = i + 1
                    var n = 0
                    while j < source.count, source[j] >= UInt8(ascii: "0"), source[j] <= UInt8(ascii: "9") {
                        n = n * 10 + Int(source[j] - UInt8(ascii: "0"))
                        j += 1
                    }
                    if j > i + 1 {
                        text.append(UInt8(ascii: "$"))
                        text.append(contentsOf: String(n + offset).utf8)
                        i = j
                        continue
                    }
                }
                text.append(c)
                i += 1
            }
            let renumbered = String(decoding: text, as: UTF8.self)
            sql += renumbered
            bindings.append(contentsOf: fragment.bindings)
        }
    }

    /// Appends a fragment (`WHERE` clauses built from literals and bound values).
    public mutating func append(_ fragment: Query) {
        if fragment.bindings.isEmpty {
            sql += fragment.sql
            return
        }
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.sql = sql
        interpolation.bindings = bindings
        interpolation.appendInterpolation(fragment: fragment)
        sql = interpolation.sql
        bindings = interpolation.bindings
    }
}
