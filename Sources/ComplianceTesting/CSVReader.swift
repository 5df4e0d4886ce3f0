/// A strict RFC 4180 reader for tests: records end with CRLF, fields are plain or quoted (`""`
/// inside a quoted field is a quote; CR, LF and commas inside one are data). Anything else —
/// a bare CR or LF outside quotes, a quote inside a plain field, text after a closing quote — is
/// an error, so a writer that breaks a record in two is caught.
public enum CSVReader {
    public struct Malformed: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "CSV malformed at byte \(offset): \(reason)" }
    }

    public static func parse(_ bytes: [UInt8]) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var i = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\"") {
                guard field.isEmpty else { throw Malformed(offset: i, reason: "a quote inside a plain field") }
                i += 1
                while true {
                    guard i < bytes.count else { throw Malformed(offset: i, reason: "unterminated quoted field") }
                    if bytes[i] == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                            field.append(UInt8(ascii: "\""))
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(bytes[i])
                    i += 1
                }
                guard i == bytes.count || bytes[i] == UInt8(ascii: ",") || bytes[i] == 0x0D else {
                    throw Malformed(offset: i, reason: "data after a closing quote")
                }
                continue
            }
            switch bytes[i] {
            case UInt8(ascii: ","):
                endField()
                i += 1
            case 0x0D:
                guard i + 1 < bytes.count, bytes[i + 1] == 0x0A else { throw Malformed(offset: i, reason: "a CR without LF") }
                endField()
                records.append(record)
                record = []
                i += 2
            case 0x0A:
                throw Malformed(offset: i, reason: "an LF without CR outside quotes")
            default:
                field.append(bytes[i])
                i += 1
            }
        }
        guard record.isEmpty && field.isEmpty else { throw Malformed(offset: i, reason: "the last record has no CRLF") }
        return records
    }
}
