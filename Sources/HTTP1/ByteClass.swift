/// Character classes of RFC 9110 §5.6 over single bytes.
enum ByteClass {
    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, sp: UInt8 = 0x20, htab: UInt8 = 0x09, colon: UInt8 = 0x3A

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    static let tchar: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = true }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { table[Int(c)] = true }
        return table
    }()

    @inline(__always) static func isTchar(_ b: UInt8) -> Bool { tchar[Int(b)] }

    /// A field-value byte: VCHAR, obs-text, SP or HTAB. CR, LF, NUL and other CTLs are not
    /// (RFC 9110 §5.5 makes CR/LF/NUL invalid; other CTLs are refused by policy).
    @inline(__always) static func isFieldValue(_ b: UInt8) -> Bool {
        b >= 0x20 ? b != 0x7F : b == htab
    }

    /// A request-target byte: visible ASCII. Spaces, CTLs, DEL and non-ASCII are refused
    /// (RFC 3986 requires percent-encoding for them).
    @inline(__always) static func isTargetByte(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b | 0x20 : b
    }

    /// ASCII case-insensitive comparison of bytes with a lowercase literal.
    static func equalsLowercase<C: Collection>(_ bytes: C, _ literal: String) -> Bool where C.Element == UInt8 {
        let l = literal.utf8
        guard bytes.count == l.count else { return false }
        return zip(bytes, l).allSatisfy { lower($0) == $1 }
    }
}
