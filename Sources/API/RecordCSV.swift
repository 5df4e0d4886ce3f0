import Archive
import Compliance

/// Records as CSV (RFC 4180: CRLF line ends, a header line of the member names), one row per
/// record with every member of `Column.members` — the same members as the JSON, so an auditor
/// can recompute a chain from either. Fields are written by `CSVField` (quoted by bytes, formula
/// starts neutralised, terminal controls replaced).
enum RecordCSV {
    static func render<R: ColumnRecord>(_ records: [R]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + records.count * 600)
        for (i, member) in R.Column.members.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            CSVField.append(text: member.name.utf8, to: &out)
        }
        out += [0x0D, 0x0A]
        for record in records {
            for (i, member) in R.Column.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                switch record.value(member) {
                case .null: break
                case .integer(let n): CSVField.append(number: n, to: &out)
                case let value: CSVField.append(text: value.textForm!.utf8, to: &out)
                }
            }
            out += [0x0D, 0x0A]
        }
        return out
    }
}
