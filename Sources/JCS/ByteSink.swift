/// Where `JSONEscaping` writes: a `ByteBuffer` (responses), an array (canonical JSON), or the
/// access log's line writer (`HTTPRouting`).
public protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeRawBufferPointer)
    mutating func append(_ text: StaticString)
}

extension ByteBuffer: ByteSink {}
