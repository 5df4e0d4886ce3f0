import Crypto

/// `X-Request-Id`: taken from the request when it is a sane token, else generated.
public enum RequestID {
    /// 1–128 characters of `[A-Za-z0-9._:-]`; anything else is replaced (it is echoed and logged).
    public static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || "._:-".utf8.contains($0) })
        else { return nil }
        return value
    }

    /// 32 random hex digits.
    public static func generate() -> String { Hex.encode(SecureRandom.bytes(16)) }
}
