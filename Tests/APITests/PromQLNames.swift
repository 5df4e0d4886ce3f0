/// The metric names a PromQL expression selects, for checking dashboards and alert rules against
/// the names a live scrape really has. A tokenizer, not a parser (promtool parses the same
/// expressions): strings, label matchers `{…}`, ranges `[…]`, numbers and durations are passed over;
/// an identifier followed by `(` is a function, the aggregation operators and keywords are not
/// metrics, and the label list after `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`
/// is passed over.
enum PromQLNames {
    static let aggregations: Set<String> = ["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                                            "bottomk", "topk", "quantile", "limitk", "limit_ratio"]
    static let keywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
                                        "and", "or", "unless", "atan2", "inf", "nan", "Inf", "NaN"]
    static let labelListKeywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    static func names(_ expression: String) -> Set<String> {
        let s = Array(expression.unicodeScalars)
        var names = Set<String>()
        var i = 0
        func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || (c.isASCII && c.properties.isAlphabetic) }
        func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || ("0"..."9").contains(c) }
        /// Moves past an opening bracket and its partner, strings inside included.
        func passOverGroup(_ open: Unicode.Scalar, _ close: Unicode.Scalar) {
            var depth = 0
            while i < s.count {
                let c = s[i]
                if c == "\"" || c == "'" || c == "`" { passOverString(); continue }
                if c == open { depth += 1 } else if c == close { depth -= 1; if depth == 0 { i += 1; return } }
                i += 1
            }
        }
        func passOverString() {
            let quote = s[i]
            i += 1
            while i < s.count && s[i] != quote {
                if s[i] == "\\" && quote != "`" { i += 1 }
                i += 1
            }
            i += 1
        }
        func nextNonSpace(_ from: Int) -> Int {
            var j = from
            while j < s.count && s[j].properties.isWhitespace { j += 1 }
            return j
        }
        while i < s.count {
            let c = s[i]
            if c == "\"" || c == "'" || c == "`" { passOverString(); continue }
            if c == "{" { passOverGroup("{", "}"); continue }
            if c == "[" { passOverGroup("[", "]"); continue }
            if c == "#" { while i < s.count && s[i] != "\n" { i += 1 }; continue }
            if ("0"..."9").contains(c) || (c == "." && i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
                while i < s.count && (isPart(s[i]) || s[i] == ".") { i += 1 }
                continue
            }
            if isStart(c) {
                let start = i
                while i < s.count && isPart(s[i]) { i += 1 }
                let word = String(String.UnicodeScalarView(s[start..<i]))
                let next = nextNonSpace(i)
                if labelListKeywords.contains(word) {
                    if next < s.count && s[next] == "(" { i = next; passOverGroup("(", ")") }
                    continue
                }
                if keywords.contains(word) || aggregations.contains(word) { continue }
                if next < s.count && s[next] == "(" { continue }   // a function
                names.insert(word)
                continue
            }
            i += 1
        }
        return names
    }
}
