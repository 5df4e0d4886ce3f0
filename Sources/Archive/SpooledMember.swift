/// One package member compressed ahead into a file of raw deflate (a spliceable piece, see
/// `RawDeflater`), with what its tar header and the manifest need: the uncompressed size, its
/// SHA-256 and CRC-32.
public struct SpooledMember: Sendable, Equatable {
    public let path: String
    public let size: Int64
    public let sha256: [UInt8]
    public let crc32: UInt32
    public let compressedSize: Int64

    public init(path: String, size: Int64, sha256: [UInt8], crc32: UInt32, compressedSize: Int64) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.crc32 = crc32
        self.compressedSize = compressedSize
    }
}
