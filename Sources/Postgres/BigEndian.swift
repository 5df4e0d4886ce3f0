/// Big-endian (network order) integer reads and writes, as PostgreSQL's binary formats use.
enum BigEndian {
    // One unaligned load and a byte swap each; the caller has checked the length.
    static func uint16(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt16 {
        precondition(i >= 0 && i + 2 <= b.count)
        return UInt16(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt16.self))
    }

    static func uint32(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        precondition(i >= 0 && i + 4 <= b.count)
        return UInt32(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    static func uint64(_ b: UnsafeRawBufferPointer, at i: Int) -> UInt64 {
        precondition(i >= 0 && i + 8 <= b.count)
        return UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    static func bytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }
}
