/// Proactive negotiation by `Accept` (RFC 9110 §12.5.1, §12.4.2): which of the media types a
/// resource offers the client prefers. Each offered type gets the quality of the most specific
/// range that matches it (`text/csv` over `text/*` over `*/*`); the highest quality above 0 wins,
/// a tie goes to the server's order (its first is its preference). No `Accept` accepts anything.
/// Parameters other than `q` are ignored for matching.
public enum ContentNegotiation {
    /// The index in `offered` (lowercase `type/subtype`) to answer with, or nil when the client
    /// accepts none of them (406).
    public static func choose(accept: String?, offered: [String]) -> Int? {
        guard let accept else { return offered.isEmpty ? nil : 0 }
        // The common cases without parsing.
        if accept == "*/*" || accept == offered.first { return offered.isEmpty ? nil : 0 }
        let ranges = parse(accept)
        if ranges.isEmpty { return offered.isEmpty ? nil : 0 }
        var best: (index: Int, quality: Int)?
        for (index, type) in offered.enumerated() {
            let quality = self.quality(of: type, in: ranges)
            if quality > 0, quality > (best?.quality ?? 0) { best = (index, quality) }
        }
        return best?.index
    }

    struct Range: Equatable {
        let type: Substring
        let subtype: Substring
        /// Thousandths (q=0.5 is 500).
        let quality: Int
    }

    /// The ranges of an Accept value; a malformed range is skipped (a lenient reader of a field
    /// that only steers the choice, never what is allowed).
    static func parse(_ value: String) -> [Range] {
        value.split(separator: ",").compactMap { element -> Range? in
            let parts = element.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let mediaRange = parts.first else { return nil }
            let pieces = mediaRange.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty, pieces[0] != "*" || pieces[1] == "*" else { return nil }
            var quality = 1000
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "q" else { continue }
                guard let q = qvalue(pair[1].trimmingWhitespace()) else { return nil }
                quality = q
            }
            return Range(type: Substring(pieces[0].lowercased()), subtype: Substring(pieces[1].lowercased()), quality: quality)
        }
    }

    /// RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
    static func qvalue(_ text: Substring) -> Int? {
        let b = Array(text.utf8)
        guard let first = b.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - 48) * 1000
        guard b.count > 1 else { return value }
        guard b[1] == UInt8(ascii: "."), b.count <= 5 else { return nil }
        var scale = 100
        for c in b.dropFirst(2) {
            guard (48...57).contains(c) else { return nil }
            value += Int(c - 48) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    /// The quality of the most specific range matching `type`, 0 when none does.
    static func quality(of offered: String, in ranges: [Range]) -> Int {
        let pieces = offered.split(separator: "/", maxSplits: 1)
        guard pieces.count == 2 else { return 0 }
        var best: (specificity: Int, quality: Int) = (-1, 0)
        for r in ranges {
            let specificity: Int
            if r.type == pieces[0] && r.subtype == pieces[1] {
                specificity = 2
            } else if r.type == pieces[0] && r.subtype == "*" {
                specificity = 1
            } else if r.type == "*" && r.subtype == "*" {
                specificity = 0
            } else {
                continue
            }
            if specificity > best.specificity { best = (specificity, r.quality) }
        }
        return best.quality
    }
}
