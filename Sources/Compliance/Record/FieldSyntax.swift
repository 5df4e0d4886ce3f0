/// The syntax of the identifier-like fields a writer sends (pure byte checks).
public enum FieldSyntax {
    /// `uuid::text`: 36 characters, lowercase hex and four hyphens at 8, 13, 18, 23.
    public static func isLowercaseUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 36 && b.indices.allSatisfy { i in
            [8, 13, 18, 23].contains(i) ? b[i] == UInt8(ascii: "-") : isLowerHex(b[i])
        }
    }

    /// A WAL segment file name: 24 upper-case hex digits.
    public static func isWALSegment(_ s: String) -> Bool {
        s.utf8.count == 24 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }
    }

    /// An LSN as PostgreSQL prints it: 1–8 hex digits, `/`, 1–8 hex digits.
    public static func isLSN(_ s: String) -> Bool {
        let parts = s.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { (1...8).contains($0.count) && $0.allSatisfy(isHex) }
    }

    static func isLowerHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x61...0x66).contains(c) }
    static func isHex(_ c: UInt8) -> Bool { isLowerHex(c) || (0x41...0x46).contains(c) }
}
