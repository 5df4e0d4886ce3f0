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

    /// `"` + `bytes` + `"` when no byte needs escaping (RFC 8785 §3.2.2.2: `"`, `\` and controls
    /// do), with one capacity check; false (nothing written) otherwise.
    @inline(__always)
    func appendQuotedIfPlain(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
        let n = bytes.count
        reserve(n + 2)
        let p = base + count
        p[0] = UInt8(ascii: "\"")
        if n > 0 { UnsafeMutableRawPointer(p + 1).copyMemory(from: bytes.baseAddress!, byteCount: n) }
        p[n + 1] = UInt8(ascii: "\"")
        count += n + 2
        return true
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
        let digits: StaticString = "0123456789abcdef"
        reserve(bytes.count * 2 + 2)
        var p = base + count
        p[0] = UInt8(ascii: "\"")
        p += 1
        for b in bytes {
            p[0] = digits.utf8Start[Int(b >> 4)]
            p[1] = digits.utf8Start[Int(b & 0x0f)]
            p += 2
        }
        p[0] = UInt8(ascii: "\"")
        count += bytes.count * 2 + 2
    }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
