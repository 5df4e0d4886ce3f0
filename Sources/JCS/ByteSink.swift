/// Where `JSONEscaping` writes: a `ByteBuffer` (responses) or an array (canonical JSON).
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeRawBufferPointer)
    mutating func append(_ text: StaticString)
}

extension ByteBuffer: ByteSink {}
