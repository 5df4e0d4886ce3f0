extension JSONValue {
    /// The value as an exact `Int64` when it is a JSON number with no fractional part and fits,
    /// written in any form: `121143`, `121143.0`, `1.21143e5`, `-0.0` (which is 0). This is JSON
    /// Schema's `integer` (2020-12 Validation §6.1.1: "any number with a zero fractional part").
    /// Nil for anything else: a fraction (`1.5`), a value beyond Int64 (`1e400`,
    /// `9223372036854775808`), or a non-number. Computed from the decimal text, never through
    /// `Double` (which would round 2^53 + 1).
    public var exactInteger: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let text): return Self.exactInteger(text)
        default: return nil
        }
    }

    /// RFC 8259 §6 number text: `-? int frac? exp?`, already validated by the parser.
    static func exactInteger(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        let negative = i < b.count && b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var digits: [UInt8] = []
        var pointShift = 0
        while i < b.count, (48...57).contains(b[i]) { digits.append(b[i] - 48); i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, (48...57).contains(b[i]) { digits.append(b[i] - 48); pointShift -= 1; i += 1 }
        }
        var exponent = 0
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { expNegative = b[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0
            var sawDigit = false
            while i < b.count, (48...57).contains(b[i]) {
                sawDigit = true
                // Beyond a few thousand the value is 0 or out of range anyway; cap to stay finite.
                e = min(e * 10 + Int(b[i] - 48), 100_000)
                i += 1
            }
            guard sawDigit else { return nil }
            exponent = expNegative ? -e : e
        }
        guard i == b.count, !digits.isEmpty else { return nil }
        // value = digits × 10^(exponent + pointShift); strip leading zeros, then trailing ones.
        while digits.count > 1, digits.first == 0 { digits.removeFirst() }
        var scale = exponent + pointShift
        while digits.count > 1, digits.last == 0 { digits.removeLast(); scale += 1 }
        if digits == [0] { return 0 }
        guard scale >= 0, digits.count + scale <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for d in digits + [UInt8](repeating: 0, count: scale) {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            magnitude = s
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
