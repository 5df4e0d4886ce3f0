/// Non-negative decimal numbers from S3 documents and headers (`Content-Length`, `<Days>`,
/// part numbers), read digit by digit with overflow checks — never `Int(String)`, which
/// accepts `+5`.
public enum S3Number {
    public static func parse(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 19 else { return nil }
        var value = 0
        for c in text.utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = s
        }
        return value
    }
}
