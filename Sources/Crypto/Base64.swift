/// Base64 (RFC 4648): the standard alphabet with padding (§4 — S3's `Content-MD5` and
/// `x-amz-checksum-sha256`) and the URL-safe alphabet without padding (§5 — tokens, cursors).
public enum Base64 {
    public enum Variant: Sendable {
        /// `A–Z a–z 0–9 + /`, padded with `=` to a multiple of 4.
        case standard
        /// `A–Z a–z 0–9 - _`, no padding.
        case url

        var alphabet: [UInt8] {
            self == .standard ? Base64.standardAlphabet : Base64.urlAlphabet
        }
    }

    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8], _ variant: Variant = .standard) -> String {
        let alphabet = variant.alphabet
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
            if rest == 2 { out.append(alphabet[Int(n >> 6 & 63)]) }
            if variant == .standard { out += Array(repeating: UInt8(ascii: "="), count: 3 - rest) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text`; nil for a character outside the variant's alphabet, an impossible length,
    /// or (standard) padding missing or misplaced.
    public static func decode(_ text: String, _ variant: Variant = .standard) -> [UInt8]? {
        var symbols = Array(text.utf8)
        if variant == .standard {
            guard symbols.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, symbols.last == UInt8(ascii: "=") {
                symbols.removeLast()
                padding += 1
            }
        }
        let alphabet = variant.alphabet
        var values: [UInt8] = []
        values.reserveCapacity(symbols.count)
        for c in symbols {
            guard let i = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(i))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (k, v) in chunk.enumerated() { n |= UInt32(v) << (18 - 6 * UInt32(k)) }
            out.append(UInt8(n >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}
