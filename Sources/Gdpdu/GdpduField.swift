import Chronology

/// Values of a GDPdU data file as this exporter writes them (docs/gobd-bao-export.md §4, after
/// the DSFinV-K conventions): UTF-8, `;` between fields, `"` around every non-empty AlphaNumeric
/// value with inner `"` doubled, Numeric and Date never quoted, empty and NULL as an empty field,
/// `,` as the decimal symbol and no grouping, dates `DD.MM.YYYY`, a timestamp as three columns
/// (date, `HH:MM:SS`, the exact ISO UTC text), CR LF after every record.
public enum GdpduField {
    public static let delimiter = UInt8(ascii: ";")
    public static let recordEnd: [UInt8] = [0x0D, 0x0A]

    /// Appends free text: quoted, `"` doubled; CR and LF become a space — IDEA cannot import a
    /// record delimiter inside a value, even quoted (§4 "Line breaks in values"). Empty: nothing.
    /// Inlinable (as the others) so an exporter calling it per field gets it specialized.
    @inlinable
    public static func text(_ value: some Collection<UInt8>, to out: inout [UInt8]) {
        guard !value.isEmpty else { return }
        out.append(UInt8(ascii: "\""))
        // Most values hold nothing to change: copied whole.
        if !value.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == UInt8(ascii: "\"") }) {
            out.append(contentsOf: value)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in value {
            switch b {
            case 0x0D, 0x0A: out.append(0x20)
            case UInt8(ascii: "\""): out += [b, b]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a hashed value exactly (quoted, `"` doubled), or returns false — writing nothing —
    /// when it holds CR or LF: changing it would break the recomputation of its hash, and the
    /// trigger refuses control characters in the short fields, so only a tampered row gets here.
    @inlinable
    public static func hashedText(_ value: some Collection<UInt8>, to out: inout [UInt8]) -> Bool {
        guard !value.contains(0x0D), !value.contains(0x0A) else { return false }
        text(value, to: &out)
        return true
    }

    /// Appends an integer (`-?\d+`).
    @inlinable
    public static func integer(_ value: Int64, to out: inout [UInt8]) {
        out += Array(String(value).utf8)
    }

    /// Appends a PostgreSQL `numeric` text (`-1782.9`, `1200`, `0.5`) with exactly `accuracy`
    /// decimals and `,` (`-1782,90`); false — nothing written — when it has more decimals than
    /// declared (the standard's "undefined results"), an exponent, or is not a number.
    public static func decimal(_ numeric: some Collection<UInt8>, accuracy: Int, to out: inout [UInt8]) -> Bool {
        var bytes = Array(numeric)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { return false }
        let whole = parts[0], fraction = parts.count == 2 ? Array(parts[1]) : []
        let digit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard whole.allSatisfy(digit), fraction.allSatisfy(digit), parts.count == 1 || !fraction.isEmpty else { return false }
        // Trailing zeros beyond the accuracy carry no value (numeric(12,4) gives 1200.0000).
        var significant = fraction
        while significant.count > accuracy, significant.last == 0x30 { significant.removeLast() }
        guard significant.count <= accuracy else { return false }
        let zero = whole.allSatisfy { $0 == 0x30 } && significant.allSatisfy { $0 == 0x30 }
        if negative && !zero { out.append(UInt8(ascii: "-")) }
        out += whole
        if accuracy > 0 {
            out.append(UInt8(ascii: ","))
            out += significant + [UInt8](repeating: 0x30, count: accuracy - significant.count)
        }
        return true
    }

    /// Appends `DD.MM.YYYY` (digits written directly: two dates per row of millions).
    @inlinable
    public static func date(_ value: CalendarDate, to out: inout [UInt8]) {
        let (y, m, d) = value.components
        guard (0...9999).contains(y) else {
            out += Array("\(pad(d, 2)).\(pad(m, 2)).\(pad(y, 4))".utf8)
            return
        }
        out.append(0x30 &+ UInt8(d / 10))
        out.append(0x30 &+ UInt8(d % 10))
        out.append(UInt8(ascii: "."))
        out.append(0x30 &+ UInt8(m / 10))
        out.append(0x30 &+ UInt8(m % 10))
        out.append(UInt8(ascii: "."))
        out.append(0x30 &+ UInt8(y / 1000))
        out.append(0x30 &+ UInt8(y / 100 % 10))
        out.append(0x30 &+ UInt8(y / 10 % 10))
        out.append(0x30 &+ UInt8(y % 10))
    }

    /// Appends the three columns of a timestamp, in UTC: `DD.MM.YYYY;"HH:MM:SS";"<ISO UTC>"` — the
    /// last the 27-character rendering the audit chain hashes (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
    @inlinable
    public static func timestamp(_ value: Timestamp, to out: inout [UInt8]) {
        value.withRFC3339 { t in
            // YYYY-MM-DDTHH:MM:SS.ffffffZ (a year beyond 9999 has more digits: the date from the end)
            let n = t.count
            let day = n - 19
            out += [t[day], t[day + 1], UInt8(ascii: "."), t[day - 3], t[day - 2], UInt8(ascii: ".")]
            out += t[0..<(day - 4)]
            out.append(delimiter)
            text(t[(n - 16)..<(n - 8)], to: &out)
            out.append(delimiter)
            text(t, to: &out)
        }
    }

    /// The date of a `DD.MM.YYYY` value, nil when it is not one or not a real calendar date.
    public static func parseDate(_ value: some Collection<UInt8>) -> CalendarDate? {
        let b = Array(value)
        guard b.count == 10, b[2] == UInt8(ascii: "."), b[5] == UInt8(ascii: ".") else { return nil }
        var n: [Int] = []
        for range in [0..<2, 3..<5, 6..<10] {
            var v = 0
            for k in range {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            n.append(v)
        }
        return CalendarDate(year: n[2], month: n[1], day: n[0])
    }

    /// Characters (Unicode scalars) of a UTF-8 value, as the `MaxLength` of its column counts them.
    @inlinable
    public static func characters(_ value: some Collection<UInt8>) -> Int {
        value.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    @usableFromInline
    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
