/// Reads a GDPdU data file record by record, chunk by chunk (flat memory at any size): `;`
/// between fields, `"…"` around a field with `""` for a quote, CR LF after every record
/// (docs/gobd-bao-export.md §4). What the conventions forbid is reported as a finding and the
/// reading goes on where it can: a bare CR or LF, a line break inside a quoted value, a quote
/// inside an unquoted field or after a closing quote, a byte-order mark, a last record without
/// its CR LF.
public struct GdpduRecordReader: Sendable {
    /// A field: its bytes (quotes removed, doubled quotes made one) and whether it was quoted.
    public struct Field: Sendable, Equatable {
        public var bytes: [UInt8]
        public var quoted: Bool

        public init(_ bytes: [UInt8], quoted: Bool) {
            self.bytes = bytes
            self.quoted = quoted
        }
    }

    enum State: Sendable { case fieldStart, unquoted, quoted, quoteInQuoted, afterCR }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var quoted = false
    private var record: [Field] = []
    private var atFileStart = true
    private var recordHasBytes = false
    /// Records completed so far (the header line included); a finding's line is this + 1.
    public private(set) var line = 0

    public init() {}

    /// Feeds `chunk`; `record` gets every completed record, `finding` every violation (line, what).
    public mutating func feed(_ chunk: some Collection<UInt8>, record emit: ([Field], Int) -> Void, finding: (Int, String) -> Void) {
        if atFileStart, !chunk.isEmpty {
            atFileStart = false
            if Array(chunk.prefix(3)) == [0xEF, 0xBB, 0xBF] { finding(1, "a byte-order mark at the start (UTF-8 without BOM is required)") }
        }
        for b in chunk {
            recordHasBytes = true
            switch state {
            case .afterCR:
                if b == 0x0A {
                    endRecord(emit)
                    continue
                }
                finding(line + 1, "a bare CR (records end with CR LF)")
                state = .fieldStart
                consume(b, finding)
            default:
                consume(b, finding)
            }
        }
    }

    private mutating func consume(_ b: UInt8, _ finding: (Int, String) -> Void) {
        switch state {
        case .fieldStart, .unquoted:
            switch b {
            case UInt8(ascii: ";"):
                endField()
            case 0x0D:
                state = .afterCR
            case 0x0A:
                finding(line + 1, "a bare LF (records end with CR LF)")
            case UInt8(ascii: "\""):
                if state == .fieldStart {
                    quoted = true
                    state = .quoted
                } else {
                    finding(line + 1, "a quote inside an unquoted field")
                    field.append(b)
                }
            default:
                field.append(b)
                state = .unquoted
            }
        case .quoted:
            switch b {
            case UInt8(ascii: "\""): state = .quoteInQuoted
            case 0x0D, 0x0A:
                finding(line + 1, "a line break inside a value (IDEA cannot import it)")
                field.append(b)
            default: field.append(b)
            }
        case .quoteInQuoted:
            switch b {
            case UInt8(ascii: "\""):
                field.append(b)
                state = .quoted
            case UInt8(ascii: ";"):
                endField()
            case 0x0D:
                state = .afterCR
            default:
                finding(line + 1, "text after a closing quote")
                field.append(b)
                state = .unquoted
            }
        case .afterCR:
            break
        }
    }

    private mutating func endField() {
        record.append(Field(field, quoted: quoted))
        field.removeAll(keepingCapacity: true)
        quoted = false
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: ([Field], Int) -> Void) {
        endField()
        line += 1
        emit(record, line)
        record.removeAll(keepingCapacity: true)
        recordHasBytes = false
    }

    /// Ends the file: a last record without CR LF is a finding (and still delivered).
    public mutating func finish(record emit: ([Field], Int) -> Void, finding: (Int, String) -> Void) {
        guard recordHasBytes || state != .fieldStart || !field.isEmpty || !record.isEmpty else { return }
        if state == .quoted { finding(line + 1, "a quoted value that never closes") }
        finding(line + 1, "the last record does not end with CR LF")
        endRecord(emit)
    }
}
