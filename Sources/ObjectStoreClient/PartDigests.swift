import Crypto
import Dispatch
import Foundation

/// The digests of a multipart upload's next part, computed on a thread of their own while the
/// current part is being sent: hashing (SHA-256 of the part and of the whole file) and
/// sending then overlap instead of taking turns (tools/bench/worm-upload.sh: 0.54x of curl
/// taking turns). One part ahead at most, so memory stays one read buffer.
final class PartDigests: @unchecked Sendable {
    // @unchecked Sendable: `result` is written by the worker before `done` is signalled and read
    // by the waiter after; `whole` is touched by one worker at a time (the next one starts only
    // after the previous one was waited for) and by the uploader only after the last.
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<[UInt8], ObjectStoreError>?

    /// The whole file's SHA-256, fed part after part in order.
    final class Whole: @unchecked Sendable {
        var digest = MessageDigest(.sha256)

        /// The digest of everything fed (once).
        func finalize() -> [UInt8] {
            var finished = MessageDigest(.sha256)
            Swift.swap(&finished, &digest)
            return finished.finalize()
        }
    }

    /// Starts hashing `range` (and feeding `whole`) now.
    init(_ range: FileRange, whole: Whole) {
        let thread = Thread { [self] in
            result = Result { () throws(ObjectStoreError) in
                try withUnsafeMutablePointer(to: &whole.digest) { (w) throws(ObjectStoreError) in try range.digests(withMD5: false, also: w).sha256 }
            }
            done.signal()
        }
        thread.name = "worm-digests"
        thread.start()
    }

    /// The part's SHA-256, once computed.
    func wait() throws(ObjectStoreError) -> [UInt8] {
        done.wait()
        return try result!.get()
    }
}
