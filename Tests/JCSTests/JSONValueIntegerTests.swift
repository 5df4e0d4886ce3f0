import JCS
import Testing

/// JSON Schema's `integer` (2020-12 Validation §6.1.1): any number with a zero fractional part,
/// decided exactly from the decimal text (issue 12, item 3a: `size_bytes: 121143.0` was refused).
@Suite struct JSONValueIntegerTests {
    @Test("numbers with a zero fraction are integers, in any spelling", arguments: [
        ("121143", Int64(121_143)), ("121143.0", 121_143), ("121143.000", 121_143), ("1.21143e5", 121_143), ("1.21143E+5", 121_143),
        ("12114300e-2", 121_143), ("0", 0), ("-0", 0), ("-0.0", 0), ("0e0", 0), ("0.0e-400", 0), ("0e400", 0), ("1e0", 1),
        ("-1.0", -1), ("9223372036854775807", .max), ("9223372036854775807.0", .max), ("-9223372036854775808", .min),
        ("-9223372036854775808.00", .min), ("9.2e18", 9_200_000_000_000_000_000), ("100e-2", 1), ("0.000e5", 0),
    ])
    func integral(text: String, value: Int64) throws {
        let parsed = try JSONParser.parse(Array(text.utf8))
        #expect(parsed.exactInteger == value, "\(text) → \(parsed)")
    }

    @Test("fractions, values beyond Int64 and non-numbers are not", arguments: [
        "1.5", "0.1", "-0.5", "1e-1", "123.4e0", "1e400", "-1e400", "1e19", "9223372036854775808", "9223372036854775807.5",
        "-9223372036854775809", "1.00000000000000000001", "1e100000000000000000000", "\"5\"", "true", "null", "[1]",
    ])
    func notIntegral(text: String) throws {
        #expect(try JSONParser.parse(Array(text.utf8)).exactInteger == nil, "\(text)")
    }
}
