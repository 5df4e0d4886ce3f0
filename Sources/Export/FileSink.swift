import Glibc

/// A file written by a package builder's sink: created exclusively (an existing file is never
/// overwritten), written whole, synced and closed.
public final class FileSink: @unchecked Sendable {
    // @unchecked Sendable: written by one task at a time (the builder's sink, in order).
    let path: String
    private var fd: Int32

    public init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw ExportError.storage("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + at, raw.count - at)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ExportError.storage("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                at += n
            }
        }
    }

    public func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        guard fsync(fd) == 0 else {
            Glibc.close(fd)
            throw ExportError.storage("cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        guard Glibc.close(fd) == 0 else { throw ExportError.storage("cannot close \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }
}
