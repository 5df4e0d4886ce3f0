/// One CSV field (RFC 4180 §2), written by bytes and made safe for the spreadsheets auditors open
/// CSV files in:
///
/// - A field is quoted when it holds a comma, a quote, CR or LF (checked byte by byte: a CR LF
///   pair is one Swift `Character`, equal to neither "\r" nor "\n"); quotes are doubled. Line
///   breaks inside a quoted field stay (RFC 4180 §2.6), so one record is one row when parsed.
/// - A text field that a spreadsheet would take as a formula — starting with `=`, `+`, `-`, `@`,
///   TAB or CR — gets a leading `'` and is quoted (OWASP "CSV Injection"). Numbers are written
///   with `number`, never neutralised.
/// - Control characters that spreadsheets and terminals act on (C0 other than TAB, CR, LF; DEL;
///   the C1 range U+0080–U+009F, which holds CSI) become U+FFFD: the CSV is for reading; the
///   JSON of the same page has every byte.
public enum CSVField {
    /// Appends `text` as a field.
    public static func append(text: some Collection<UInt8>, to out: inout [UInt8]) {
        let cleaned = sanitized(text)
        let formula = cleaned.first.map(startsFormula) ?? false
        let quote = formula || cleaned.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        guard quote else {
            out.append(contentsOf: cleaned)
            return
        }
        out.append(UInt8(ascii: "\""))
        if formula { out.append(UInt8(ascii: "'")) }
        for b in cleaned {
            out.append(b)
            if b == UInt8(ascii: "\"") { out.append(b) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer (never quoted or neutralised: `-5` is a number, not a formula).
    public static func append(number: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: String(number).utf8)
    }

    /// The characters a spreadsheet reads as the start of a formula (OWASP).
    static func startsFormula(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@") || b == 0x09 || b == 0x0D
    }

    /// `text` with C0 controls other than TAB/CR/LF, DEL and C1 controls replaced by U+FFFD, and
    /// invalid UTF-8 likewise (the input is UTF-8 text from the database).
    static func sanitized(_ text: some Collection<UInt8>) -> [UInt8] {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for scalar in String(decoding: Array(text), as: UTF8.self).unicodeScalars {
            let v = scalar.value
            if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v) {
                out.append(contentsOf: replacement)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
        }
        return out
    }
}
