/// A growable byte buffer with unchecked appends: the response body of `JSONWriter`. A class so
/// that appends need no copy-on-write check; owned by one writer, never shared across threads.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `"name":` with one capacity check and a byte loop (names are short; a `memcpy` call
    /// per key cost more than the copy).
    @inline(__always)
    func appendKey(_ name: StaticString) {
        let n = name.utf8CodeUnitCount
        reserve(n + 3)
        let p = base + count
        p[0] = UInt8(ascii: "\"")
        let source = name.utf8Start
        for i in 0..<n { p[1 + i] = source[i] }
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        count += n + 3
    }

    /// Lets `body` write up to `maxCount` bytes in place; it returns how many it wrote.
    func write(maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maxCount)
        let n = body(base + count)
        precondition(n >= 0 && n <= maxCount, "wrote \(n) bytes into room for \(maxCount)")
        count += n
    }

    /// `"` + lowercase hex of `bytes` + `"`, with one capacity check.
    func appendQuotedHex(_ bytes: UnsafeRawBufferPointer) {
        write(maxCount: bytes.count * 2 + 2) { start in
            var out = UncheckedJSONOutput(start)
            out.hex(bytes)
            return out.count
        }
    }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
