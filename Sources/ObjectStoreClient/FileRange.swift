import Crypto
import Glibc

/// A range of an open file, read in pieces: hashed (S3 wants an upload's digests in its
/// headers, before the body), then sent. One reading loop for both.
struct FileRange {
    let fd: Int32
    let offset: Int64
    let length: Int64

    /// Hands the range to `body` in pieces of at most `pieceSize` bytes, in order; a file that
    /// ends early or cannot be read is refused.
    func forEachPiece(pieceSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: pieceSize)
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(buffer.count), length - done))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw ObjectStoreError.refused("cannot read the file: \(n < 0 ? String(cString: strerror(errno)) : "it is shorter than it was")")
            }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            done += Int64(n)
        }
    }

    /// MD5 (for `Content-MD5`; empty when not `withMD5`) and SHA-256 of the range; `also` (the
    /// whole file's digest of a multipart upload) is fed the same bytes in the same pass.
    func digests(withMD5: Bool = true, also: UnsafeMutablePointer<MessageDigest>? = nil) throws(ObjectStoreError) -> (md5: [UInt8], sha256: [UInt8]) {
        var md5 = MessageDigest(.md5)
        var sha = MessageDigest(.sha256)
        do {
            try forEachPiece(pieceSize: 1 << 20) { piece in
                if withMD5 { md5.update(piece) }
                sha.update(piece)
                also?.pointee.update(piece)
            }
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            throw .refused("cannot read the file: \(error)")
        }
        return (withMD5 ? md5.finalize() : [], sha.finalize())
    }

    var body: RequestBody { .file(self) }
}
