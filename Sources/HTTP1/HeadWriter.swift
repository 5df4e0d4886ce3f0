/// Bytes written into a fixed buffer and counted past its end, so that a caller whose bytes did
/// not fit learns how much room a second try needs (`ResponseSerializer.head`).
struct HeadWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written, or that would have been.
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    var fits: Bool { count <= buffer.count }

    /// What was written; only meaningful when `fits`.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<min(count, buffer.count)]) }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let end = count + bytes.count
        if end <= buffer.count, let from = bytes.baseAddress, let to = buffer.baseAddress {
            (to + count).update(from: from, count: bytes.count)
        }
        count = end
    }

    mutating func write(_ byte: UInt8) {
        if count < buffer.count { buffer[count] = byte }
        count += 1
    }

    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// CR LF.
    mutating func endLine() {
        write(0x0D)
        write(0x0A)
    }
}
