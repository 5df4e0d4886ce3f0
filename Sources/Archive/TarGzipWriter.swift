import Crypto
import Glibc

/// Writes a `.tar.gz` as a stream (docs/gobd-bao-export.md §4, "Package layout"): members one
/// after the other — from bytes, or streamed from a file in 256 KiB reads — each hashed
/// (SHA-256 of its bytes, for `integrity.xml`) on its way through tar and gzip into `sink` (a
/// file, an HTTP response, a multipart upload); the compressed whole is hashed too. Memory is
/// one read buffer and zlib's window, whatever the sizes. Deterministic: the tar headers of
/// `TarHeader` with one modification time, and zlib's gzip header (MTIME 0).
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

    private var gzip: GzipEncoder
    private var whole = MessageDigest(.sha256)
    private var compressed: Int64 = 0
    private let modified: Int64
    private let sink: ([UInt8]) throws -> Void

    public init(modified: Int64, level: Int32 = 6, sink: @escaping ([UInt8]) throws -> Void) throws(Failure) {
        do { gzip = try GzipEncoder(level: level) } catch { throw .gzip(error) }
        self.modified = modified
        self.sink = sink
    }

    /// Adds a member from memory.
    public mutating func add(name: String, bytes: [UInt8]) throws(Failure) -> Member {
        try write(TarHeader.blocks(name: name, size: Int64(bytes.count), modified: modified))
        try write(bytes)
        try write(TarHeader.padding(Int64(bytes.count)))
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
        try write(TarHeader.blocks(name: name, size: size, modified: modified))
        var digest = MessageDigest(.sha256)
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .file("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += Int64(n)
            guard total <= size else { throw .file("\(path) grew while it was archived") }
            let chunk = Array(buffer[0..<n])
            digest.update(chunk)
            try write(chunk)
        }
        guard total == size else { throw .file("\(path) shrank while it was archived") }
        try write(TarHeader.padding(size))
        return Member(name: name, size: size, sha256: digest.finalize())
    }

    /// Ends the archive and the gzip stream; the compressed bytes' SHA-256 and count.
    public consuming func finish() throws(Failure) -> (sha256: [UInt8], size: Int64) {
        try write(TarHeader.end)
        let tail: [UInt8]
        do { tail = try gzip.finish() } catch { throw .gzip(error) }
        try emit(tail)
        return (whole.finalize(), compressed)
    }

    private mutating func write(_ bytes: [UInt8]) throws(Failure) {
        guard !bytes.isEmpty else { return }
        let out: [UInt8]
        do { out = try gzip.compress(bytes) } catch { throw .gzip(error) }
        try emit(out)
    }

    private mutating func emit(_ out: [UInt8]) throws(Failure) {
        guard !out.isEmpty else { return }
        whole.update(out)
        compressed += Int64(out.count)
        do { try sink(out) } catch { throw .sink("\(error)") }
    }
}
