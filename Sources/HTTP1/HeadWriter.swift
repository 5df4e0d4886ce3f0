/// Bytes written into a fixed buffer and counted past its end, so that a caller whose bytes did
/// not fit learns how much room a second try needs (`ResponseSerializer.head`, the access log's
/// lines). Inlinable: its callers write a byte at a time.
public struct HeadWriter {
    @usableFromInline let buffer: UnsafeMutableBufferPointer<UInt8>
    @usableFromInline var written_ = 0
    /// Bytes written, or that would have been.
    @inlinable
    public var count: Int { written_ }

    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    @inlinable
    public var fits: Bool { count <= buffer.count }

    /// What was written; only meaningful when `fits`.
    @inlinable
    public var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<min(count, buffer.count)]) }

    @inlinable
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let end = written_ + bytes.count
        if end <= buffer.count, let from = bytes.baseAddress, let to = buffer.baseAddress {
            (to + written_).update(from: from, count: bytes.count)
        }
        written_ = end
    }

    @inlinable
    public mutating func write(_ byte: UInt8) {
        if written_ < buffer.count { buffer[written_] = byte }
        written_ += 1
    }

    @inlinable
    public mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// CR LF.
    @inlinable
    public mutating func endLine() {
        write(0x0D)
        write(0x0A)
    }
}
