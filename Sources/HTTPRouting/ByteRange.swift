/// A `Range: bytes=…` request (RFC 9110 §14.1.2) against a representation of `size` bytes, as
/// a download endpoint answers it: one satisfiable range → 206 with that part; none satisfiable
/// → 416; anything it does not take (another unit, several ranges, a malformed field) → the whole
/// representation, which §14.2 allows ("A server MAY ignore the Range header field").
public enum ByteRange: Sendable, Equatable {
    /// Serve everything (no Range, or one we ignore).
    case whole
    /// Serve bytes `first…last` (inclusive).
    case part(first: Int64, last: Int64)
    /// 416: no byte of the range exists.
    case unsatisfiable

    public static func parse(_ values: [String], size: Int64) -> ByteRange {
        guard values.count == 1 else { return .whole }
        let value = values[0].trimmingSpaces
        guard value.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = value.dropFirst(6).trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let start = spec[..<dash].trimmingSpaces, end = spec[spec.index(after: dash)...].trimmingSpaces
        func number(_ s: Substring) -> Int64? {
            guard !s.isEmpty, s.count <= 18, s.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
            return Int64(s)
        }
        if start.isEmpty {
            // A suffix: the last n bytes (§14.1.2: "bytes=-500").
            guard let n = number(end) else { return .whole }
            guard n > 0, size > 0 else { return .unsatisfiable }
            return .part(first: max(0, size - n), last: size - 1)
        }
        guard let first = number(start) else { return .whole }
        var last = size - 1
        if !end.isEmpty {
            guard let l = number(end), l >= first else { return .whole }
            last = min(l, size - 1)
        }
        guard first < size else { return .unsatisfiable }
        return .part(first: first, last: last)
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let s = self[...]
        return Substring(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
