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
