import Foundation

/// An exact `numeric` value, kept as PostgreSQL's canonical decimal text (`-1234.50`, `NaN`,
/// `Infinity`). Money never passes through `Double`.
public struct PostgresNumeric: Hashable, Sendable, CustomStringConvertible {
    /// The decimal text, with exactly the scale the server reported.
    public let text: String

    /// Validates `text` as `[-]digits[.digits]` (or `NaN`, `Infinity`, `-Infinity`).
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        self.text = text
    }

    init(uncheckedText: String) { text = uncheckedText }

    public init(_ decimal: Decimal) { text = "\(decimal)" }

    /// The value as `Decimal` when it fits its 38-digit mantissa exactly; nil for NaN/Infinity
    /// or values that would lose digits.
    public var decimal: Decimal? {
        let digitCount = text.utf8.filter { $0 >= 48 && $0 <= 57 }.count
        guard digitCount <= 38, text.first != "N", !text.contains("I") else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    public var description: String { text }

    static func isValid(_ text: String) -> Bool {
        if text == "NaN" || text == "Infinity" || text == "-Infinity" { return true }
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { return false }
        if parts.count == 2 && parts[1].isEmpty { return false }
        return parts.allSatisfy { $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }

    /// Decodes the binary `numeric_send` format: int16 ndigits, int16 weight, uint16 sign,
    /// uint16 dscale, then ndigits base-10000 digits (src/backend/utils/adt/numeric.c).
    static func decodeBinary(_ bytes: UnsafeRawBufferPointer) -> PostgresNumeric? {
        guard bytes.count >= 8 else { return nil }
        let ndigits = Int(Int16(bitPattern: BigEndian.uint16(bytes, at: 0)))
        let weight = Int(Int16(bitPattern: BigEndian.uint16(bytes, at: 2)))
        let sign = BigEndian.uint16(bytes, at: 4)
        let dscale = Int(BigEndian.uint16(bytes, at: 6))
        switch sign {
        case 0xC000: return PostgresNumeric(uncheckedText: "NaN")
        case 0xD000: return PostgresNumeric(uncheckedText: "Infinity")
        case 0xF000: return PostgresNumeric(uncheckedText: "-Infinity")
        case 0x0000, 0x4000: break
        default: return nil
        }
        guard ndigits >= 0, bytes.count == 8 + 2 * ndigits, dscale <= 0x3FFF else { return nil }
        var digits: [Int] = []
        digits.reserveCapacity(ndigits)
        for i in 0..<ndigits {
            let d = Int(BigEndian.uint16(bytes, at: 8 + 2 * i))
            guard d < 10_000 else { return nil }
            digits.append(d)
        }
        func group(_ k: Int) -> Int { k >= 0 && k < ndigits ? digits[k] : 0 }
        func pad4(_ d: Int) -> String {
            let s = String(d)
            return String(repeating: "0", count: 4 - s.count) + s
        }
        var integer = ""
        if weight >= 0 {
            for k in 0...weight { integer += k == 0 ? String(group(k)) : pad4(group(k)) }
        } else {
            integer = "0"
        }
        var fraction = ""
        var k = weight + 1
        while fraction.count < dscale {
            fraction += pad4(group(k))
            k += 1
        }
        fraction = String(fraction.prefix(dscale))
        var text = integer
        if dscale > 0 { text += "." + fraction }
        let isZero = digits.allSatisfy { $0 == 0 }
        if sign == 0x4000 && !isZero { text = "-" + text }
        return PostgresNumeric(uncheckedText: text)
    }
}
