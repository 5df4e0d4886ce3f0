/// Decodes the stream of `COPY … TO STDOUT (FORMAT binary)` chunk by chunk (PostgreSQL
/// documentation, "COPY", File Formats → Binary Format): the 11-byte signature
/// `PGCOPY\n\377\r\n\0`, a 32-bit flags field (bit 16: OIDs, refused), a header extension of
/// a 32-bit length, then tuples — a 16-bit field count, each field a 32-bit length (-1: NULL)
/// and its bytes — and the trailer, a field count of -1. A tuple may be split across chunks;
/// only the unfinished tail of a chunk is kept, so memory is one chunk plus one tuple.
public struct CopyBinaryDecoder: Sendable {
    static let signature: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]

    private var pending: [UInt8] = []
    private var headerRead = false
    public private(set) var finished = false
    /// Rows decoded so far.
    public private(set) var tuples: Int64 = 0
    private var offsets: [Int] = []

    public init() {}

    /// One tuple, valid during the call that receives it.
    public struct Tuple {
        let base: UnsafeRawBufferPointer
        let offsets: UnsafeBufferPointer<Int>

        init(base: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<Int>) {
            self.base = base
            self.offsets = offsets
        }

        public var count: Int { offsets.count / 2 }

        /// Field `i`'s bytes, nil for NULL.
        public subscript(i: Int) -> UnsafeRawBufferPointer? {
            let start = offsets[2 * i], length = offsets[2 * i + 1]
            return length < 0 ? nil : UnsafeRawBufferPointer(rebasing: base[start..<(start + length)])
        }
    }

    /// Decodes what `chunk` completes, calling `row` for each tuple in order.
    public mutating func feed(_ chunk: [UInt8], _ row: (Tuple) throws -> Void) throws {
        if pending.isEmpty {
            let used = try chunk.withUnsafeBytes { try decode($0, row) }
            pending.append(contentsOf: chunk[used...])
        } else {
            pending.append(contentsOf: chunk)
            let buffer = pending
            let used = try buffer.withUnsafeBytes { try decode($0, row) }
            pending.removeFirst(used)
        }
    }

    /// Throws when the stream ended inside a tuple or before its trailer.
    public func finish() throws(PostgresError) {
        guard finished, pending.isEmpty else {
            throw PostgresError(.protocolViolation, "the binary COPY ended early (\(pending.count) bytes of an unfinished tuple)")
        }
    }

    /// Decodes complete tuples from the front of `bytes`; returns how many bytes were used.
    private mutating func decode(_ bytes: UnsafeRawBufferPointer, _ row: (Tuple) throws -> Void) throws -> Int {
        var at = 0
        func int32(_ k: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[k]) << 24 | UInt32(bytes[k + 1]) << 16 | UInt32(bytes[k + 2]) << 8 | UInt32(bytes[k + 3]))
        }
        if !headerRead {
            guard bytes.count >= 19 else { return 0 }
            guard bytes.prefix(11).elementsEqual(Self.signature) else {
                throw PostgresError(.protocolViolation, "not a binary COPY stream (no PGCOPY signature)")
            }
            guard int32(11) & (1 << 16) == 0 else { throw PostgresError(.protocolViolation, "binary COPY with OIDs is not supported") }
            let extensionLength = Int(int32(15))
            guard extensionLength >= 0 else { throw PostgresError(.protocolViolation, "binary COPY header extension of negative length") }
            guard bytes.count >= 19 + extensionLength else { return 0 }
            at = 19 + extensionLength
            headerRead = true
        }
        while !finished {
            guard bytes.count - at >= 2 else { return at }
            let fieldCount = Int(Int16(bitPattern: UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])))
            if fieldCount == -1 {
                finished = true
                at += 2
                guard at == bytes.count else { throw PostgresError(.protocolViolation, "data after the binary COPY trailer") }
                return at
            }
            guard fieldCount >= 0 else { throw PostgresError(.protocolViolation, "binary COPY tuple of \(fieldCount) fields") }
            offsets.removeAll(keepingCapacity: true)
            var k = at + 2
            var complete = true
            for _ in 0..<fieldCount {
                guard bytes.count - k >= 4 else { complete = false; break }
                let length = Int(int32(k))
                k += 4
                guard length >= -1 else { throw PostgresError(.protocolViolation, "binary COPY field of length \(length)") }
                if length > 0 {
                    guard bytes.count - k >= length else { complete = false; break }
                }
                offsets.append(k)
                offsets.append(length)
                k += max(length, 0)
            }
            guard complete else { return at }
            try offsets.withUnsafeBufferPointer { try row(Tuple(base: bytes, offsets: $0)) }
            tuples += 1
            at = k
        }
        return at
    }
}
