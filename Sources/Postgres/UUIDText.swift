/// The lowercase 8-4-4-4-12 text of a binary `uuid` (16 bytes), rendered into scratch space:
/// for `String` decoding and for writers that copy it straight into a response. (Foundation's
/// `uuidString` goes through snprintf.)
public enum UUIDText {
    /// Calls `body` with the 36 ASCII bytes of `bytes`, which must be 16 bytes long.
    public static func withText<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(bytes.count == 16, "a uuid is 16 bytes")
        let digits: StaticString = "0123456789abcdef"
        return try withUnsafeTemporaryAllocation(byteCount: 36, alignment: 1) { out in
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
            return try body(UnsafeRawBufferPointer(out))
        }
    }
}
