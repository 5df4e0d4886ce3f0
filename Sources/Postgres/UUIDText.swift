/// The lowercase 8-4-4-4-12 text of a binary `uuid` (16 bytes), rendered into scratch space:
/// for `String` decoding and for writers that copy it straight into a response. (Foundation's
/// `uuidString` goes through snprintf.)
public enum UUIDText {
    /// Calls `body` with the 36 ASCII bytes of `bytes`, which must be 16 bytes long. Inlinable so
    /// that callers get it specialized (a generic call per field cost a metadata lookup).
    @inlinable
    public static func withText<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: 36, alignment: 1) { out in
            render(bytes, into: out)
            return try body(UnsafeRawBufferPointer(out))
        }
    }

    /// Writes the 36 bytes of text for the 16 bytes of `bytes` into `out`.
    @usableFromInline
    static func render(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count == 16 && out.count >= 36, "a uuid is 16 bytes, its text 36")
        let digits: StaticString = "0123456789abcdef"
        var k = 0
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 {
                out[k] = UInt8(ascii: "-")
                k += 1
            }
            out[k] = digits.utf8Start[Int(bytes[i] >> 4)]
            out[k + 1] = digits.utf8Start[Int(bytes[i] & 0x0f)]
            k += 2
        }
    }
}
