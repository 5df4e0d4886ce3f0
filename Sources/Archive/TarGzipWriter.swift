import Crypto
import Glibc

/// Writes a `.tar.gz` as a stream (docs/gobd-bao-export.md §4, "Package layout"): members one
/// after the other — from bytes, streamed from a file, or spliced in already compressed from a
/// `MemberSpool` — each hashed (SHA-256 of its bytes, for `integrity.xml`) on its way into
/// `sink` (a file, an HTTP response, a multipart upload); the compressed whole is hashed too.
///
/// The gzip stream (RFC 1952) is written by hand around raw deflate pieces (`RawDeflater`):
/// the header with MTIME 0 and OS 3 (so the same members give the same bytes), the pieces, an
/// empty final block, and the trailer — the CRC-32 combined from the pieces' and the size
/// modulo 2^32. Memory is one read buffer and zlib's window, whatever the sizes. Deterministic:
/// the tar headers of `TarHeader` with one modification time, pieces cut at member boundaries.
public struct TarGzipWriter: ~Copyable {
    /// What was written of one member.
    public struct Member: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let sha256: [UInt8]
    }

    public enum Failure: Error, Sendable {
        case gzip(GzipEncoder.Failure)
        case file(String)
        case sink(String)
    }

    /// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix) — RFC 1952 §2.3.
    static let gzipHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    private var deflater: RawDeflater
    private var whole = MessageDigest(.sha256)
    private var compressed: Int64 = 0
    private var crc: UInt32 = 0
    private var uncompressed: Int64 = 0
    private let modified: Int64
    private let sink: ([UInt8]) throws -> Void

    public init(modified: Int64, level: Int32 = 6, sink: @escaping ([UInt8]) throws -> Void) throws(Failure) {
        deflater = try Self.deflater(level)
        self.modified = modified
        self.sink = sink
    }

    /// Adds a member from memory.
    public mutating func add(name: String, bytes: [UInt8]) throws(Failure) -> Member {
        try piece(TarHeader.blocks(name: name, size: Int64(bytes.count), modified: modified) + bytes + TarHeader.padding(Int64(bytes.count)))
        return Member(name: name, size: Int64(bytes.count), sha256: SHA256.hash(bytes))
    }

    /// Adds a member streamed from the regular file at `path` (its size read first: tar needs it
    /// before the data; a file that changes size meanwhile is refused).
    public mutating func add(name: String, path: String) throws(Failure) -> Member {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .file("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw .file("\(path) is not a regular file") }
        let size = Int64(info.st_size)
        var digest = MessageDigest(.sha256)
        try compress(TarHeader.blocks(name: name, size: size, modified: modified))
        var total: Int64 = 0
        try Self.readAll(fd, path) { chunk throws(Failure) in
            total += Int64(chunk.count)
            guard total <= size else { throw .file("\(path) grew while it was archived") }
            digest.update(chunk)
            try compress(chunk)
        }
        guard total == size else { throw .file("\(path) shrank while it was archived") }
        try compress(TarHeader.padding(size))
        try endPiece()
        return Member(name: name, size: size, sha256: digest.finalize())
    }

    /// Adds a member compressed ahead by a `MemberSpool`: its header, its deflate piece copied
    /// as it is, its padding.
    public mutating func add(name: String, spooled: SpooledMember) throws(Failure) -> Member {
        try piece(TarHeader.blocks(name: name, size: spooled.size, modified: modified))
        let fd = open(spooled.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .file("cannot open \(spooled.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var copied: Int64 = 0
        try Self.readAll(fd, spooled.path) { chunk throws(Failure) in
            copied += Int64(chunk.count)
            try emit(chunk)
        }
        guard copied == spooled.compressedSize else { throw .file("\(spooled.path) has \(copied) bytes, not the \(spooled.compressedSize) written") }
        crc = RawDeflater.crc32Combine(crc, spooled.crc32, lengthB: spooled.size)
        uncompressed += spooled.size
        try piece(TarHeader.padding(spooled.size))
        return Member(name: name, size: spooled.size, sha256: spooled.sha256)
    }

    /// Ends the archive and the gzip stream; the compressed bytes' SHA-256 and count.
    public consuming func finish() throws(Failure) -> (sha256: [UInt8], size: Int64) {
        try piece(TarHeader.end)
        try emit(RawDeflater.finalBlock)
        // CRC32 and ISIZE (the size modulo 2^32), little-endian (RFC 1952 §2.3.1).
        let isize = UInt32(truncatingIfNeeded: uncompressed)
        try emit([0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) } + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: isize >> $0) })
        return (whole.finalize(), compressed)
    }

    private static func deflater(_ level: Int32) throws(Failure) -> RawDeflater {
        do { return try RawDeflater(level: level) } catch { throw .gzip(error) }
    }

    private mutating func piece(_ bytes: [UInt8]) throws(Failure) {
        try compress(bytes)
        try endPiece()
    }

    private mutating func compress(_ bytes: [UInt8]) throws(Failure) {
        guard !bytes.isEmpty else { return }
        crc = bytes.withUnsafeBytes { RawDeflater.crc32(crc, $0) }
        uncompressed += Int64(bytes.count)
        var out: [UInt8] = []
        do { try bytes.withUnsafeBytes { try deflater.compress($0) { out.append(contentsOf: $0) } } } catch let e as GzipEncoder.Failure {
            throw .gzip(e)
        } catch { throw .gzip(GzipEncoder.Failure(code: -1, message: "\(error)")) }
        try emit(out)
    }

    private mutating func endPiece() throws(Failure) {
        var out: [UInt8] = []
        do { try deflater.endPiece { out.append(contentsOf: $0) } } catch let e as GzipEncoder.Failure { throw .gzip(e) } catch {
            throw .gzip(GzipEncoder.Failure(code: -1, message: "\(error)"))
        }
        try emit(out)
    }

    private static func readAll(_ fd: Int32, _ path: String, _ body: ([UInt8]) throws(Failure) -> Void) throws(Failure) {
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .file("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try body(Array(buffer[0..<n]))
        }
    }

    /// Hands `out` to the sink, after the gzip header when it is the first output.
    private mutating func emit(_ out: [UInt8]) throws(Failure) {
        guard !out.isEmpty else { return }
        let out = compressed == 0 ? Self.gzipHeader + out : out
        whole.update(out)
        compressed += Int64(out.count)
        do { try sink(out) } catch { throw .sink("\(error)") }
    }
}
