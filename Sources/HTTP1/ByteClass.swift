/// Character classes of RFC 9110 §5.6 over single bytes.
enum ByteClass {
    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, sp: UInt8 = 0x20, htab: UInt8 = 0x09, colon: UInt8 = 0x3A

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    /// (RFC 9110 §5.6.2), as a bit per ASCII byte: bytes 0–63 in `low`, 64–127 in `high`
    /// (a constant, unlike a lookup table: no lazy global on every byte of every request).
    @inline(__always) static func isTchar(_ b: UInt8) -> Bool {
        inSet(b, low: 0x03FF_6CFA_0000_0000, high: 0x57FF_FFFF_C7FF_FFFE)
    }

    /// An RFC 3986 reg-name byte (unreserved, pct-encoded's `%`, sub-delims) for an authority.
    @inline(__always) static func isRegName(_ b: UInt8) -> Bool {
        inSet(b, low: 0x2BFF_6FF2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
    }

    @inline(__always) static func inSet(_ b: UInt8, low: UInt64, high: UInt64) -> Bool {
        b < 64 ? (low >> UInt64(b)) & 1 == 1 : b < 128 && (high >> UInt64(b &- 64)) & 1 == 1
    }

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
