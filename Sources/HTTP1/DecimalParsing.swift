/// Protocol numbers from the wire, never through `Int(String)` (which accepts `+5`; http-conformance §2).
public enum DecimalParsing {
    /// `1*DIGIT`, strictly: nil on empty input, any non-digit byte, or Int64 overflow.
    public static func decimal<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b &- 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }

    /// `1*HEXDIG` (either case), strictly: nil on empty input, a non-hex byte, or Int64 overflow.
    public static func hex<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for b in bytes {
            let digit: Int64
            switch b {
            case 0x30...0x39: digit = Int64(b &- 0x30)
            case 0x41...0x46: digit = Int64(b &- 0x41 &+ 10)
            case 0x61...0x66: digit = Int64(b &- 0x61 &+ 10)
            default: return nil
            }
            let (m, o1) = value.multipliedReportingOverflow(by: 16)
            let (s, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }
}
