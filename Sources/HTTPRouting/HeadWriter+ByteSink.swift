import HTTP1
import JCS

/// The access log's strings are escaped by JCS's JSON escaping straight into the line being
/// written (`AccessLogLine`), one escaping for every JSON the server writes.
extension HeadWriter: ByteSink {
    public mutating func append(_ byte: UInt8) { write(byte) }
    public mutating func append(_ bytes: UnsafeRawBufferPointer) { write(bytes.assumingMemoryBound(to: UInt8.self)) }
    public mutating func append(_ text: StaticString) { write(text) }
}
