/// Big-endian (network order) integer reads and writes, as PostgreSQL's binary formats use.
enum BigEndian {
    static func uint16(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt16 {
        UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }

    static func uint32(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func uint64(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt64 {
        UInt64(uint32(b, at: i)) << 32 | UInt64(uint32(b, at: i + 4))
    }

    static func bytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }
}
