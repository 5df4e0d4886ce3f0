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
            var text = ""
            var i = fragment.sql.startIndex
            let offset = bindings.count
            // Renumber $n placeholders of the fragment. Fragments are built from literals, so a
            // '$' followed by digits is always a placeholder (dollar quoting is not used in them).
            while i < fragment.sql.endIndex {
                let c = fragment.sql[i]
                if c == "$" {
                    var j = fragment.sql.index(after: i)
                    var n = 0
                    while j < fragment.sql.endIndex, let d = fragment.sql[j].wholeNumberValue, fragment.sql[j].isASCII {
                        n = n * 10 + d
                        j = fragment.sql.index(after: j)
                    }
                    if j > fragment.sql.index(after: i) {
                        text += "$\(n + offset)"
                        i = j
                        continue
                    }
                }
                text.append(c)
                i = fragment.sql.index(after: i)
            }
            sql += text
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
