@testable import Postgres
import Testing

/// Decoding rules that a UTF-8 database cannot produce, on hand-made cells.
@Suite struct PostgresCellTests {
    @Test("invalid UTF-8 in a text column is a decoding error, never repaired")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x41, 0xc3, 0x28]
        bytes.withUnsafeBytes { raw in
            let cell = PostgresCell(bytes: raw, type: .text, columnName: "actor", row: 3)
            let error = #expect(throws: PostgresError.self) { try String.decode(from: cell) }
            #expect(error?.message == "column \"actor\" (row 3): expected UTF-8 text, got text: invalid UTF-8")
        }
    }

    /// numeric_send: int16 ndigits, int16 weight, uint16 sign, uint16 dscale, base-10000 digits.
    @Test("numeric binary format: weights, scales and signs", arguments: [
        ([0, 0, 0, 0, 0, 0, 0, 2], "0.00"),
        ([0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0, 100], "-0.01"),
        ([0, 2, 0, 1, 0, 0, 0, 0, 0, 12, 0x0d, 0x80], "123456"),
        ([0, 2, 0, 0, 0, 0, 0, 6, 0x04, 0xd2, 0x16, 0x2e], "1234.567800"),
        ([0, 0, 0, 0, 0xc0, 0, 0, 0], "NaN"),
        ([0, 0, 0, 0, 0xd0, 0, 0, 0], "Infinity"),
        ([0, 0, 0, 0, 0xf0, 0, 0, 0], "-Infinity"),
    ] as [([UInt8], String)])
    func numericBinary(bytes: [UInt8], text: String) {
        bytes.withUnsafeBytes { raw in
            #expect(PostgresNumeric.decodeBinary(raw)?.text == text)
        }
    }

    @Test("malformed numeric bytes are refused", arguments: [
        [0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10], [0, 0, 0, 0, 0x12, 0x34, 0, 0],
    ] as [[UInt8]])
    func malformedNumeric(bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            #expect(PostgresNumeric.decodeBinary(raw) == nil)
        }
    }
}
