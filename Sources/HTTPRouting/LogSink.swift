import Foundation
import Glibc
import Synchronization

/// Where log lines go without ever blocking the thread that produces them (issue 13: a blocking
/// `write(2)` of every access-log line on the event-loop thread halved the server, and a slow
/// journald or a full pipe stalled every connection of that loop).
///
/// Each producer slot (an event loop's index) has a bounded buffer; `append` copies a rendered
/// line into it under a lock held for a copy only. A writer thread of its own drains every
/// slot and writes the batch with one `write(2)` per slot — it may block on a slow sink, nothing
/// else does. When a buffer is full the line is dropped and counted (`dropped`); once the sink
/// takes lines again, one line says how many were lost. Idle, the writer sleeps until a line
/// arrives; busy, it writes every `batchInterval`, so a line costs a copy, not a system call.
public final class LogSink: Sendable {
    /// A slot's lines and how many they are, and a spare buffer for the swap (no allocation
    /// per batch).
    struct Slot: ~Copyable {
        var lines: [UInt8] = []
        var count = 0
        var spare: [UInt8] = []
    }

    /// A slot under its own lock (a class: a `Mutex` cannot be an array element).
    final class SlotBox: Sendable {
        let state = Mutex(Slot())
    }

    public let descriptor: Int32
    /// Bytes a slot may hold before lines are dropped.
    public let capacity: Int
    static let slotCount = 16
    let batchInterval: useconds_t = 5_000
    private let slots: [SlotBox]
    private let droppedCount = Atomic<Int>(0)
    private let writtenCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    /// The writer waits on `wake` while every slot is empty (`sleeping`); producers signal it
    /// only then, so a busy server pays no wake-up per line.
    private let sleeping = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let wake = WakeSignal()
    private let stopped = WakeSignal()

    /// Lines go to `descriptor` (stdout by default: journald under systemd). `capacity` bounds
    /// each slot's buffer (1 MiB: a few thousand lines, a second of a busy server's log).
    public init(descriptor: Int32 = 1, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        slots = (0..<Self.slotCount).map { _ in SlotBox() }
        let thread = Thread { [self] in run() }
        thread.name = "log-sink"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Lines dropped because their slot's buffer was full (the sink was slower than the server).
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }
    /// Lines written so far.
    public var written: Int { writtenCount.load(ordering: .relaxed) }
    /// Lines lost because writing failed (the sink is gone: a pipe without a reader).
    public var failed: Int { failedCount.load(ordering: .relaxed) }

    /// Appends one rendered line (ending in `\n`, none inside) for `slot`; never blocks on the sink.
    public func append(_ line: UnsafeRawBufferPointer, slot: Int) {
        guard !line.isEmpty else { return }
        guard !stopping.load(ordering: .relaxed) else {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        let accepted = slots[slot & (Self.slotCount - 1)].state.withLock { s -> Bool in
            guard s.lines.count + line.count <= capacity else { return false }
            if s.lines.capacity == 0 { s.lines.reserveCapacity(min(capacity, 64 * 1024)) }
            s.lines.append(contentsOf: line)
            s.count += 1
            return true
        }
        if !accepted {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        if sleeping.load(ordering: .acquiring) { wake.signal() }
    }

    public func append(_ line: [UInt8], slot: Int = 0) {
        line.withUnsafeBytes { append($0, slot: slot) }
    }

    /// Writes what is buffered and stops the writer (at shutdown; lines appended later are
    /// dropped). Waits at most `timeout` for a stalled sink: a shutdown must not hang on a
    /// stdout nobody reads (what is still buffered then is lost). Whether everything was written.
    @discardableResult
    public func close(timeout: Duration = .seconds(2)) -> Bool {
        if !stopping.exchange(true, ordering: .acquiringAndReleasing) { wake.signal() }
        return stopped.wait(timeout: timeout)
    }

    // MARK: the writer thread

    private func run() {
        var reportedDrops = 0
        while true {
            let wrote = drain()
            let drops = droppedCount.load(ordering: .relaxed)
            let stop = stopping.load(ordering: .acquiring)
            if (wrote || stop), drops > reportedDrops {
                // The sink takes lines again (or this is the last chance): say how many it lost.
                writeAll(Array(AccessLogLine.dropNotice(count: drops - reportedDrops).utf8), lines: 1)
                reportedDrops = drops
            }
            if stop {
                if drain() { continue }
                stopped.signal()
                return
            }
            if wrote {
                // Busy: let lines accumulate into the next batch.
                usleep(batchInterval)
                continue
            }
            sleeping.store(true, ordering: .releasing)
            // A line appended between the last drain and `sleeping` must not wait for the next:
            // look once more before sleeping.
            if slots.allSatisfy({ $0.state.withLock { $0.lines.isEmpty } }) && !stopping.load(ordering: .acquiring) {
                wake.wait()
            }
            sleeping.store(false, ordering: .releasing)
        }
    }

    /// Writes every slot's lines; whether there were any.
    private func drain() -> Bool {
        var any = false
        for slot in slots {
            // The slot's lines out, its spare (empty, with capacity) in: no copy, no allocation.
            var (batch, lines) = slot.state.withLock { s -> ([UInt8], Int) in
                guard !s.lines.isEmpty else { return ([], 0) }
                var out: [UInt8] = []
                swap(&out, &s.spare)
                swap(&out, &s.lines)
                defer { s.count = 0 }
                return (out, s.count)
            }
            guard !batch.isEmpty else { continue }
            any = true
            writeAll(batch, lines: lines)
            batch.removeAll(keepingCapacity: true)
            slot.state.withLock { s in s.spare = batch }
        }
        return any
    }

    private func writeAll(_ bytes: [UInt8], lines: Int) {
        let complete = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        // A sink that is gone (a closed pipe, EPIPE): the batch is lost, and counted as such.
        if complete {
            writtenCount.add(lines, ordering: .relaxed)
        } else {
            failedCount.add(lines, ordering: .relaxed)
        }
    }
}

/// A wake-up for one waiting thread (a condition with a flag, so a signal before the wait is
/// not lost).
final class WakeSignal: @unchecked Sendable {
    // @unchecked Sendable: `pending` is touched only under `condition`'s lock.
    private let condition = NSCondition()
    private var pending = false

    func signal() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while !pending { condition.wait() }
        pending = false
        condition.unlock()
    }

    /// Waits at most `timeout` for the signal; whether it came. It stays pending, so every later
    /// wait returns at once (a second `close` does not wait again).
    func wait(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !pending {
            if !condition.wait(until: deadline) { return pending }
        }
        return true
    }
}
