import Crypto

/// base64url without padding (RFC 4648 §5): tokens and cursors.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes, .url)
    }

    /// Decodes unpadded base64url; nil for any other character or an impossible length.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64.decode(text, .url)
    }

    static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
    }
}
