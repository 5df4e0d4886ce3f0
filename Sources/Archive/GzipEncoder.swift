import CZlib

/// A streaming gzip (RFC 1952) compressor over zlib's deflate, as a byte filter:
/// feed chunks with `compress(_:)`, collect the output, and call `finish()` once.
///
/// Memory is bounded by zlib's window (about 256 KiB at level 6) plus the output of one call.
public struct GzipEncoder: ~Copyable {
    /// A zlib failure; `code` is zlib's return value (`Z_STREAM_ERROR`, `Z_MEM_ERROR`, …).
    public struct Failure: Error, Equatable {
        public let code: Int32
        public let message: String
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// Starts a gzip stream at `level` (0–9; 6 is zlib's default trade-off).
    public init(level: Int32 = 6) throws(Failure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16 selects the gzip wrapper (zlib manual, deflateInit2).
        let rc = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw Failure(code: rc, message: "deflateInit2 failed")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` and returns whatever compressed bytes are ready (possibly none).
    public mutating func compress(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        try run(input, flush: Z_NO_FLUSH)
    }

    /// Flushes the remaining data and the gzip trailer (CRC-32, ISIZE). Call exactly once.
    public mutating func finish() throws(Failure) -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        return try run([], flush: Z_FINISH)
    }

    private mutating func run(_ input: [UInt8], flush: Int32) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        let result: Failure? = input.withUnsafeMutableBufferPointer { inBuf -> Failure? in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = UInt32(inBuf.count)
            while true {
                let rc = chunk.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.pointee.next_out = outBuf.baseAddress
                    stream.pointee.avail_out = UInt32(outBuf.count)
                    return deflate(stream, flush)
                }
                let produced = chunk.count - Int(stream.pointee.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if rc == Z_STREAM_END { return nil }
                if rc != Z_OK && rc != Z_BUF_ERROR { return Failure(code: rc, message: "deflate failed") }
                // Done for this call once zlib consumed all input and had room to spare.
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 && flush != Z_FINISH {
                    return nil
                }
            }
        }
        stream.pointee.next_in = nil
        if let result { throw result }
        return output
    }
}
