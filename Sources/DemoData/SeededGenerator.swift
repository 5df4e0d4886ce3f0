/// A deterministic pseudo-random generator (SplitMix64, Steele/Lea/Flood 2014): the same seed
/// yields the same demo data on every machine and Swift version (the standard library's
/// generators are not specified to be stable).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a named sub-stream, independent of how much the parent consumed.
    /// The start is a hash of (state, label): SplitMix64 sequences whose seeds differ by a
    /// multiple of the increment are shifted copies of each other, so labels must not be mixed
    /// in linearly.
    public func derived(_ label: UInt64) -> SeededGenerator {
        SeededGenerator(seed: Self.mix(state ^ Self.mix(label &+ 0x632B_E59B_D9B4_E019)))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's finaliser (a bijective 64-bit mixer).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (rejection-free multiply-shift; bias is negligible for demo data).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A version-4 UUID in PostgreSQL's lowercase text form.
    public mutating func uuid() -> String {
        let a = next(), b = next()
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var out = 0
        for i in 0..<16 {
            var byte = UInt8(truncatingIfNeeded: (i < 8 ? a : b) >> (8 * UInt64(i % 8)))
            if i == 6 { byte = byte & 0x0F | 0x40 }
            if i == 8 { byte = byte & 0x3F | 0x80 }
            if out == 8 || out == 13 || out == 18 || out == 23 { out += 1 }
            text[out] = Self.hexDigits[Int(byte >> 4)]
            text[out + 1] = Self.hexDigits[Int(byte & 0x0F)]
            out += 2
        }
        return String(decoding: text, as: UTF8.self)
    }
}
