import Postgres
import Testing

/// The binary COPY format, fed whole and split at every byte: tuples, NULLs, the trailer; and
/// refused streams (no signature, OIDs, data after the trailer, an end inside a tuple).
@Suite struct CopyBinaryDecoderTests {
    static func int16(_ v: Int16) -> [UInt8] { [UInt8(truncatingIfNeeded: UInt16(bitPattern: v) >> 8), UInt8(truncatingIfNeeded: UInt16(bitPattern: v))] }
    static func int32(_ v: Int32) -> [UInt8] {
        let u = UInt32(bitPattern: v)
        return [UInt8(truncatingIfNeeded: u >> 24), UInt8(truncatingIfNeeded: u >> 16), UInt8(truncatingIfNeeded: u >> 8), UInt8(truncatingIfNeeded: u)]
    }
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + int32(0) + int32(3) + [1, 2, 3]
    static func tuple(_ fields: [[UInt8]?]) -> [UInt8] {
        int16(Int16(fields.count)) + fields.flatMap { f in f.map { int32(Int32($0.count)) + $0 } ?? int32(-1) }
    }
    static let stream = header + tuple([Array("ab".utf8), nil, []]) + tuple([Array(repeating: 7, count: 300)]) + tuple([]) + int16(-1)

    static func decode(_ chunks: [[UInt8]]) throws -> [[[UInt8]?]] {
        var decoder = CopyBinaryDecoder()
        var rows: [[[UInt8]?]] = []
        for chunk in chunks {
            try decoder.feed(chunk) { t in rows.append((0..<t.count).map { t[$0].map(Array.init) }) }
        }
        try decoder.finish()
        #expect(decoder.tuples == Int64(rows.count))
        return rows
    }

    @Test("whole and split at every byte: the same three tuples, NULL told from empty")
    func tuples() throws {
        let expected: [[[UInt8]?]] = [[Array("ab".utf8), nil, []], [Array(repeating: 7, count: 300)], []]
        #expect(try Self.decode([Self.stream]) == expected)
        for cut in 1..<Self.stream.count {
            #expect(try Self.decode([Array(Self.stream[..<cut]), Array(Self.stream[cut...])]) == expected, "cut at \(cut)")
        }
        #expect(try Self.decode(Self.stream.map { [$0] }) == expected)
    }

    @Test("refused: no signature, OIDs, data after the trailer, a stream ending inside a tuple or before its trailer")
    func refusals() throws {
        #expect(throws: PostgresError.self) { try Self.decode([Array("COPY".utf8) + Array(repeating: 0, count: 20)]) }
        var oids = Self.header
        oids[12] = 1   // flags bit 16 (big-endian: bits 23–16 are the second byte)
        #expect(throws: PostgresError.self) { try Self.decode([oids + Self.int16(-1)]) }
        #expect(throws: PostgresError.self) { try Self.decode([Self.stream + [0]]) }
        #expect(throws: PostgresError.self) { try Self.decode([Array(Self.stream.dropLast(3))]) }
        #expect(throws: PostgresError.self) { try Self.decode([Array(Self.stream.dropLast(2))]) }
        #expect(throws: PostgresError.self) { try Self.decode([Self.header + Self.int16(1) + Self.int32(-2)]) }
    }
}
