/// Memory to render access-log lines into, one buffer per event loop, allocated once: a line is
/// rendered in place and copied once, into the log's buffer. (Rendering through a closure over
/// stack memory made Swift copy the response record, six strings retained and released, a
/// tenth of what a logged request cost in user space.)
///
/// A buffer belongs to its loop: only the loop's serial queue renders into it (`didRespond` runs
/// there), so no lock is needed.
final class LineScratch: @unchecked Sendable {
    // @unchecked Sendable: buffer `i` is touched only by event loop `i`'s queue.
    static let bytesPerSlot = 2048
    private let base: UnsafeMutablePointer<UInt8>

    init() {
        base = .allocate(capacity: LogSink.slotCount * Self.bytesPerSlot)
    }

    deinit {
        base.deallocate()
    }

    /// The buffer of `loop` (any integer: folded onto the log's slots as `LogSink` folds them).
    func buffer(_ loop: Int) -> UnsafeMutableBufferPointer<UInt8> {
        UnsafeMutableBufferPointer(start: base + (loop & (LogSink.slotCount - 1)) * Self.bytesPerSlot, count: Self.bytesPerSlot)
    }
}
