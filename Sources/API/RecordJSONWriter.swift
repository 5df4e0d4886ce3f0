import Compliance
import JCS

/// A record as the API shows it, from its column description: every member of
/// `Column.members` in order — integers as numbers, times as RFC 3339 UTC, uuids and text as
/// strings, a JSON object column as the object, bytes (hashes) as lowercase hex.
enum RecordJSONWriter {
    static func write<R: ColumnRecord>(_ record: R, to w: inout JSONWriter) {
        w.beginObject()
        for member in R.Column.members {
            w.key(plain: member.name)
            let type: ColumnType
            switch member {
            case .column(let c): type = c.spec.type
            case .secondsBetween: type = .bigint
            }
            switch record.value(member) {
            case .null: w.null()
            case .integer(let i): w.integer(i)
            case .text(let s): if type == .jsonObjectText { w.raw(s) } else { w.string(s) }
            case .time(let t): t.withRFC3339 { w.asciiString(raw: $0) }
            case .bytes(let b): w.hex(b)
            }
        }
        w.endObject()
    }
}
