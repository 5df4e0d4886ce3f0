import Crypto
import Dispatch
import Glibc
import Synchronization

/// Compresses one member's bytes on a thread of its own while they are produced — the renderer
/// and zlib run on both cores, as `psql | gzip` does — into a file of raw deflate that
/// `TarGzipWriter.add(name:spooled:)` splices in once the member's size (which its tar header
/// needs first) is known. SHA-256 and CRC-32 are taken on the same thread. Bounded: `append`
/// suspends (never blocks a thread) while `depth` buffers wait, so memory is a few buffers and
/// zlib's window whatever the member's size.
public final class MemberSpool: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case file(String)
        case deflate(String)

        public var description: String {
            switch self {
            case .file(let m), .deflate(let m): m
            }
        }
    }

    struct State {
        var queue: [[UInt8]] = []
        var ended = false
        var failure: Failure?
        var waiter: CheckedContinuation<Void, Never>?
        var result: Result<SpooledMember, Failure>?
        var finisher: CheckedContinuation<SpooledMember, any Error>?
    }

    public let path: String
    private let depth: Int
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Creates `path` (which must not exist) and starts the compressing thread.
    public init(path: String, level: Int32, depth: Int = 4) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.depth = depth
        // A Dispatch thread of its own (not the cooperative pool: it waits on a semaphore).
        DispatchQueue(label: "immoflow.export-deflate", qos: .userInitiated).async { [self] in run(fd: fd, level: level) }
    }

    /// Hands `bytes` to the compressor; suspends while `depth` buffers are waiting. Throws the
    /// compressor's failure once it has one (the member is lost; the export fails).
    public func append(_ bytes: [UInt8]) async throws(Failure) {
        guard !bytes.isEmpty else { return }
        let wait = try state.withLock { s throws(Failure) -> Bool in
            if let failure = s.failure { throw failure }
            s.queue.append(bytes)
            return s.queue.count > depth
        }
        available.signal()
        if wait {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    guard s.queue.count > depth, s.failure == nil else { return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        }
    }

    /// Ends the member: everything appended compressed, the piece ended, the file closed.
    public func finish() async throws -> SpooledMember {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<SpooledMember, any Error>) in
            let done = state.withLock { s -> Result<SpooledMember, Failure>? in
                s.ended = true
                if s.result == nil { s.finisher = c }
                return s.result
            }
            available.signal()
            if let done { c.resume(with: done.mapError { $0 as any Error }) }
        }
    }

    private func run(fd: Int32, level: Int32) {
        var deflater: RawDeflater
        do { deflater = try RawDeflater(level: level) } catch {
            close(fd)
            let result = Result<SpooledMember, Failure>.failure(.deflate(error.message))
            let finisher = state.withLock { s in
                s.failure = .deflate(error.message)
                s.result = result
                defer { s.finisher = nil }
                return s.finisher
            }
            finisher?.resume(with: result.mapError { $0 as any Error })
            // Drain what producers still hand over until the end arrives.
            while true {
                available.wait()
                let (ended, waiter) = state.withLock { s in
                    s.queue.removeAll()
                    defer { s.waiter = nil }
                    return (s.ended, s.waiter)
                }
                waiter?.resume()
                if ended { return }
            }
        }
        var digest = MessageDigest(.sha256)
        var crc: UInt32 = 0
        var size: Int64 = 0
        var compressed: Int64 = 0
        var failure: Failure?
        func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            var at = 0
            while at < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + at, bytes.count - at)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .file("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                at += n
            }
            compressed += Int64(bytes.count)
        }
        while true {
            available.wait()
            let (item, ended, waiter) = state.withLock { s -> ([UInt8]?, Bool, CheckedContinuation<Void, Never>?) in
                let item = s.queue.isEmpty ? nil : s.queue.removeFirst()
                var waiter: CheckedContinuation<Void, Never>?
                if s.queue.count <= depth || s.failure != nil {
                    waiter = s.waiter
                    s.waiter = nil
                }
                return (item, s.ended && s.queue.isEmpty, waiter)
            }
            waiter?.resume()
            if let item, failure == nil {
                digest.update(item)
                do {
                    try item.withUnsafeBytes { bytes in
                        crc = RawDeflater.crc32(crc, bytes)
                        size += Int64(bytes.count)
                        try deflater.compress(bytes) { out throws(Failure) in try write(out) }
                    }
                } catch let error as Failure {
                    failure = error
                } catch {
                    failure = .deflate("\(error)")
                }
                if let failure {
                    let w = state.withLock { s in
                        s.failure = failure
                        defer { s.waiter = nil }
                        return s.waiter
                    }
                    w?.resume()
                }
            }
            if ended && item == nil { break }
        }
        if failure == nil {
            do { try deflater.endPiece { out throws(Failure) in try write(out) } } catch let error as Failure { failure = error } catch {
                failure = .deflate("\(error)")
            }
        }
        close(fd)
        let sha256 = digest.finalize()
        let result: Result<SpooledMember, Failure> = failure.map { .failure($0) }
            ?? .success(SpooledMember(path: path, size: size, sha256: sha256, crc32: crc, compressedSize: compressed))
        let finisher = state.withLock { s in
            s.result = result
            s.failure = s.failure ?? failure
            defer { s.finisher = nil }
            return s.finisher
        }
        finisher?.resume(with: result.mapError { $0 as any Error })
    }
}
