import CZlib

/// Raw deflate (RFC 1951, no wrapper) cut into pieces that can be spliced into one stream, the
/// way pigz joins its blocks: each piece starts from a reset compressor (it refers to nothing
/// before it) and ends with a sync flush (an empty stored block: byte-aligned, not final). Their
/// concatenation, closed by `finalBlock`, is one valid deflate stream (RFC 1951 §3.2.3-4) whose
/// CRC-32 is combined from the pieces' (zlib `crc32_combine`).
public struct RawDeflater: ~Copyable {
    /// An empty final block with fixed codes (BFINAL 1, BTYPE 01, end-of-block 0000000).
    public static let finalBlock: [UInt8] = [0x03, 0x00]

    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    public init(level: Int32) throws(GzipEncoder.Failure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate, 32 KiB window (zlib manual, deflateInit2).
        let rc = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw GzipEncoder.Failure(code: rc, message: "deflateInit2 failed")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, handing every produced run of bytes to `emit`.
    public mutating func compress(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(input, Z_NO_FLUSH, emit)
    }

    /// Ends the piece (sync flush) and resets for the next one.
    public mutating func endPiece(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), Z_SYNC_FLUSH, emit)
        deflateReset(stream)
    }

    /// One whole piece of `bytes`, as bytes.
    public mutating func piece(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { try compress($0) { out.append(contentsOf: $0) } }
        try endPiece { out.append(contentsOf: $0) }
        return out
    }

    private mutating func run(_ input: UnsafeRawBufferPointer, _ flush: Int32, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer { stream.pointee.next_in = nil }
        while true {
            let (rc, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let rc = deflate(stream, flush)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw GzipEncoder.Failure(code: rc, message: "deflate failed") }
            // Done once zlib took all input and had room left (for a flush: its output is out).
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return }
        }
    }

    /// CRC-32 (ISO 3309, as gzip uses) of `bytes`, continuing `crc`.
    public static func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return UInt32(CZlib.crc32(UInt(crc), base.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count)))
    }

    /// The CRC-32 of A followed by B from theirs and B's length.
    public static func crc32Combine(_ a: UInt32, _ b: UInt32, lengthB: Int64) -> UInt32 {
        UInt32(CZlib.crc32_combine(UInt(a), UInt(b), Int(lengthB)))
    }
}
