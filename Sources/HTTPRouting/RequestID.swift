import Crypto
import Synchronization

/// `X-Request-Id`: taken from the request when it is a sane token, else generated.
public enum RequestID {
    /// 1–128 characters of `[A-Za-z0-9._:-]`; anything else is replaced (it is echoed and logged).
    public static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || "._:-".utf8.contains($0) })
        else { return nil }
        return value
    }

    /// 32 hex digits: a random per-process prefix and a mixed counter. Unique per process run
    /// and unguessable enough for correlation; not a secret (it is echoed to clients), so it
    /// does not need a cryptographic draw per request (which cost 4 % of a /health request).
    public static func generate() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // The globals are read once, outside the loop: each read of a lazy global is a call to
        // swift_once (there were 17 per ID).
        let high = prefix, low = mix(n &+ seed)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for i in 0..<16 {
                let shift = UInt64(60 - 4 * i)
                buffer[i] = hexDigit(high >> shift)
                buffer[16 + i] = hexDigit(low >> shift)
            }
            return 32
        }
    }

    /// The lowercase hex digit of the low four bits.
    private static func hexDigit(_ v: UInt64) -> UInt8 {
        let d = UInt8(truncatingIfNeeded: v & 0xF)
        return d < 10 ? 0x30 + d : 0x61 - 10 + d
    }

    private static let seed: UInt64 = SecureRandom.bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    /// The first 16 digits, fixed per process run.
    private static let prefix: UInt64 = mix(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    private static let counter = Atomic<UInt64>(0)

    /// SplitMix64's finaliser: a bijection, so distinct counters give distinct IDs.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
