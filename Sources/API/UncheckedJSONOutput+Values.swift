import Chronology
import JCS
import Postgres

/// The backup-events page's own value kinds, rendered in place without an allocation.
extension UncheckedJSONOutput {
    /// A time as quoted RFC 3339 (27 bytes for years 0…9999, at most 34 beyond), or null.
    mutating func timestamp(_ t: Timestamp?) {
        guard let t else { return literal("null") }
        byte(UInt8(ascii: "\""))
        t.withRFC3339 { bytes($0) }
        byte(UInt8(ascii: "\""))
    }

    /// A binary uuid (16 bytes) as its quoted 36-character text.
    mutating func uuid(_ raw: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        UUIDText.withText(raw) { bytes($0) }
        byte(UInt8(ascii: "\""))
    }
}
