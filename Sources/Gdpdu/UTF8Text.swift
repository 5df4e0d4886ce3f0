/// UTF-8 as the data files carry it (RFC 3629): validated and counted in one pass, ASCII eight
/// bytes at a time.
public enum UTF8Text {
    /// The characters (Unicode scalars) of `b`, or nil when it is not well-formed UTF-8 (overlong
    /// forms, surrogates and values above U+10FFFF included).
    public static func characters(_ b: UnsafeRawBufferPointer) -> Int? {
        var i = 0, count = 0
        let n = b.count
        while i < n {
            // Eight ASCII bytes at once.
            if i + 8 <= n, b.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                count += 8
                continue
            }
            let c = b[i]
            if c < 0x80 {
                i += 1
            } else if c >= 0xC2 && c <= 0xDF {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return nil }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return nil }
                let second = b[i + 1]
                if c == 0xE0 && second < 0xA0 { return nil }   // overlong
                if c == 0xED && second > 0x9F { return nil }   // surrogates
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard i + 3 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return nil }
                let second = b[i + 1]
                if c == 0xF0 && second < 0x90 { return nil }   // overlong
                if c == 0xF4 && second > 0x8F { return nil }   // above U+10FFFF
                i += 4
            } else {
                return nil
            }
            count += 1
        }
        return count
    }
}
