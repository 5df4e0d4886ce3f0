import Crypto
import Dispatch
import Glibc

extension PackageVerifier {
    /// A package file that cannot be read (exit 1), as opposed to one that is read and wrong.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    enum Item: Sendable {
        case event(PackageStream.Event)
        case done(compressed: Int64)
        case unreadable(String)
    }

    /// Verifies the package file at `path` on two threads: one reads, inflates, untars and
    /// hashes (the container), the calling one checks what comes out — `gzip -dc` is the speed
    /// limit. Blocks; call it from a thread that may wait.
    public static func verifyFile(_ path: String, pinned: Ed25519PublicKey?, keep: Int = 1000) throws(Unreadable) -> PackageReport {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Unreadable(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw Unreadable(message: "\(path) is not a regular file")
        }
        let verifier: PackageVerifier
        do { verifier = try PackageVerifier(pinned: pinned, keep: keep) } catch {
            close(fd)
            throw Unreadable(message: "\(error)")
        }
        let queue = EventQueue<Item>(capacity: 64)
        let producerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            defer {
                close(fd)
                producerDone.signal()
            }
            var stream: PackageStream
            do { stream = try PackageStream() } catch {
                queue.push(.unreadable("\(error)"))
                return
            }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    queue.push(.unreadable("cannot read \(path): \(String(cString: strerror(errno)))"))
                    return
                }
                if n == 0 { break }
                buffer.withUnsafeBytes { raw in stream.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { queue.push(.event($0)) } }
            }
            stream.finish { queue.push(.event($0)) }
            queue.push(.done(compressed: stream.compressed))
        }
        while true {
            switch queue.pop() {
            case .event(let event):
                verifier.handle(event)
            case .done(let compressed):
                producerDone.wait()
                return verifier.judge(compressedSize: compressed)
            case .unreadable(let message):
                producerDone.wait()
                throw Unreadable(message: message)
            }
        }
    }
}
