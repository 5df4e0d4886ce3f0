import CZlib

/// A streaming gzip (RFC 1952) decompressor over zlib's inflate: feed compressed chunks, get the
/// decompressed bytes; the member's CRC-32 and size are checked by zlib at its end. Anything
/// after the end of the gzip member, a damaged stream or a stream that stops early is a failure
/// naming it (a package is one member; concatenated members are not read).
public struct GzipDecoder: ~Copyable {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 256 * 1024)
    public private(set) var ended = false
    /// Compressed bytes consumed.
    public private(set) var consumed: Int64 = 0

    public init() throws(Failure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: gzip wrapper only (zlib manual, inflateInit2).
        let rc = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw Failure(message: "inflateInit2 failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses `input`, handing each run of output to `emit`.
    public mutating func decompress(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !input.isEmpty else { return }
        guard !ended else { throw Failure(message: "data after the end of the gzip stream") }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer { stream.pointee.next_in = nil }
        while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0 {
            let (rc, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let rc = inflate(stream, Z_NO_FLUSH)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            switch rc {
            case Z_OK:
                continue
            case Z_BUF_ERROR where produced > 0:
                continue
            case Z_STREAM_END:
                ended = true
                consumed += Int64(input.count) - Int64(stream.pointee.avail_in)
                if stream.pointee.avail_in > 0 { throw Failure(message: "data after the end of the gzip stream") }
                return
            case Z_BUF_ERROR:
                consumed += Int64(input.count)
                return
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw Failure(message: "the gzip stream is damaged: \(message)")
            }
        }
        consumed += Int64(input.count)
    }

    /// Throws when the stream did not reach its end (a truncated file).
    public func finish() throws(Failure) {
        guard ended else { throw Failure(message: "the gzip stream ends early (truncated)") }
    }
}
