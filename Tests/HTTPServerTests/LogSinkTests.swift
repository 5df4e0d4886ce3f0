@testable import HTTPRouting
import ComplianceTesting
import Foundation
import Glibc
import Synchronization
import Testing

/// `LogSink` against real pipes: whole lines, in order per slot; a stalled reader never blocks a
/// producer; drops are counted and reported; shutdown never hangs on a stalled sink.
@Suite struct LogSinkTests {
    /// Reads `fd` to its end on a thread of its own.
    static func readToEnd(_ fd: Int32) async throws -> [UInt8] {
        try await Blocking.run {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                out += buffer[0..<n]
            }
            close(fd)
            return out
        }
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("lines from several producers arrive whole and in order per producer; close writes what is buffered")
    func ordered() async throws {
        let (r, w) = try ClosingPipe.make()
        let sink = LogSink(descriptor: w)
        async let output = Self.readToEnd(r)
        try await Blocking.run {
            DispatchQueue.concurrentPerform(iterations: 4) { slot in
                for n in 0..<5_000 { sink.append(Array("{\"slot\":\(slot),\"n\":\(n)}\n".utf8), slot: slot) }
            }
        }
        #expect(sink.close(timeout: .seconds(30)))
        close(w)
        let lines = Self.lines(try await output)
        #expect(lines.count == 20_000 && sink.written == 20_000 && sink.dropped == 0)
        var next = [Int](repeating: 0, count: 4)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int]
            let slot = try #require(object?["slot"]), n = try #require(object?["n"])
            #expect(n == next[slot], "slot \(slot): \(n) after \(next[slot] - 1)")
            next[slot] = n + 1
        }
        #expect(next == [5_000, 5_000, 5_000, 5_000])
    }

    @Test("a stalled sink never blocks append: lines past a slot's capacity are dropped, counted, and reported when it drains")
    func stalled() async throws {
        let (r, w) = try ClosingPipe.make()
        // Nobody reads yet: the writer blocks once the pipe (64 KiB) is full; the 4 KiB slot then fills.
        let sink = LogSink(descriptor: w, capacity: 4096)
        let line = Array((String(repeating: "x", count: 62) + "\n").utf8)
        let finished = Atomic<Bool>(false)
        let producer = Thread {
            for _ in 0..<20_000 { sink.append(line, slot: 0) }
            finished.store(true, ordering: .releasing)
        }
        producer.start()
        // 1.3 MB into a 64 KiB pipe nobody reads: only a producer that never waits on the sink finishes.
        let done = await eventually(within: 20) { finished.load(ordering: .acquiring) }
        #expect(done, "append blocked on a stalled sink")
        #expect(sink.dropped > 0 && sink.dropped < 20_000)
        async let output = Self.readToEnd(r)
        #expect(sink.close(timeout: .seconds(30)))
        close(w)
        let lines = Self.lines(try await output)
        let data = lines.filter { $0.hasPrefix("xxx") }
        let notices = lines.filter { $0.contains("access log lines dropped") }
        #expect(data.allSatisfy { $0.utf8.count == 62 })
        #expect(data.count + sink.dropped == 20_000, "\(data.count) written, \(sink.dropped) dropped")
        #expect(!notices.isEmpty && data.count + notices.count == lines.count)
        var reported = 0
        for notice in notices {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(notice.utf8)) as? [String: Any])
            #expect(object["level"] as? String == "warning" && object["logger"] as? String == "access")
            reported += try #require(object["dropped"] as? Int)
        }
        #expect(reported == sink.dropped)
    }

    @Test("close gives up after its timeout when nobody reads the sink, and says so")
    func closeStalled() async throws {
        let (r, w) = try ClosingPipe.make()
        let sink = LogSink(descriptor: w, capacity: 1 << 20)
        let line = Array((String(repeating: "y", count: 999) + "\n").utf8)
        for _ in 0..<200 { sink.append(line, slot: 3) }  // 200 kB: more than the pipe holds
        let started = ContinuousClock.now
        #expect(!sink.close(timeout: .milliseconds(300)))
        #expect(ContinuousClock.now - started < .seconds(10))
        sink.append(line, slot: 3)  // after close: dropped, never written
        // Let the writer finish (it was blocked in write(2)) and check nothing after close went out.
        async let output = Self.readToEnd(r)
        let finished = await eventually(within: 20) { sink.close(timeout: .milliseconds(10)) }
        #expect(finished)
        close(w)
        let lines = Self.lines(try await output)
        #expect(lines.filter { $0.hasPrefix("yyy") }.count == 200)
    }

    @Test("a sink whose reader is gone loses lines without crashing or blocking")
    func brokenPipe() async throws {
        signal(SIGPIPE, SIG_IGN)
        let (r, w) = try ClosingPipe.make()
        close(r)
        let sink = LogSink(descriptor: w)
        for n in 0..<100 { sink.append(Array("line \(n)\n".utf8), slot: 0) }
        #expect(sink.close(timeout: .seconds(10)))
        #expect(sink.written == 0 && sink.failed == 100)
        close(w)
    }
}
