import Archive
import Crypto

/// The container half of `verify-package`: compressed bytes in, the members out — gzip inflated
/// (its CRC-32 and size checked by zlib), the tar read, every member's SHA-256 taken — as events
/// for the checks, which may run on another thread (`PackageVerifier.verifyFile`).
struct PackageStream: ~Copyable {
    enum Event: Sendable {
        case begin(name: String, size: Int64)
        case data([UInt8])
        case end(sha256: [UInt8])
        /// The stream cannot be read on (a damaged gzip stream, a tar error): the reason.
        case failure(String)
    }

    private var gzip: GzipDecoder
    private var tar = TarReader()
    private var digest = MessageDigest(.sha256)
    private(set) var failed = false
    private(set) var compressed: Int64 = 0

    init() throws {
        gzip = try GzipDecoder()
    }

    /// Feeds compressed bytes; after a failure, more are ignored.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) -> Void) {
        guard !failed else { return }
        compressed += Int64(bytes.count)
        do {
            try gzip.decompress(bytes) { plain in
                try tar.feed(plain) { event in
                    switch event {
                    case .begin(let name, let size): emit(.begin(name: name, size: size))
                    case .data(let b):
                        digest.update(b)
                        emit(.data(Array(b)))
                    case .end: emit(.end(sha256: digest.finalizeAndReset()))
                    }
                }
            }
        } catch {
            failed = true
            emit(.failure("\(error)"))
        }
    }

    /// The end of the bytes: a stream or archive that stops early is a failure.
    mutating func finish(_ emit: (Event) -> Void) {
        guard !failed else { return }
        do {
            try gzip.finish()
            try tar.finish()
        } catch {
            failed = true
            emit(.failure("\(error)"))
        }
    }
}
