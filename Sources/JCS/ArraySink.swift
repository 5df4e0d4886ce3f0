/// A `ByteSink` over an array (canonical JSON text for hashing).
struct ArraySink: ByteSink {
    var bytes: [UInt8]

    mutating func append(_ byte: UInt8) { bytes.append(byte) }
    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }
    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
