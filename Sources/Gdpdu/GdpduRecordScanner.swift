import Glibc

/// Reads a GDPdU data file record by record, chunk by chunk, in flat memory (docs/gobd-bao-export.md
/// §4): `;` between fields, `"…"` around a field with `""` for a quote, CR LF after every record.
/// Well-formed records are read in place — a scan for the next delimiter, quote or line end, no
/// copy — and handed out as `GdpduRecord` views; only a record that breaks the conventions is
/// walked byte by byte, each violation a finding with its line, and read on where it can: a bare
/// CR or LF (dropped), a line break inside a quoted value (kept), a quote inside an unquoted field
/// or text after a closing quote (kept as text), a byte-order mark, a last record without CR LF, a
/// quoted value that never closes. A record cut by a chunk's end waits for the next chunk.
public struct GdpduRecordScanner: Sendable {
    private var carry: [UInt8] = []
    private var spans: [GdpduRecord.Span] = []
    private var scratch: [UInt8] = []
    private var atFileStart = true
    /// Records completed so far (the header line included); a finding's line is this + 1.
    public private(set) var line = 0

    public init() {}

    /// Scans `chunk`; `record` gets every completed record, `finding` every violation (line, what).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, record: (GdpduRecord) -> Void, finding: (Int, String) -> Void) {
        guard !chunk.isEmpty else { return }
        if atFileStart {
            atFileStart = false
            if chunk.count >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF {
                finding(1, "a byte-order mark at the start (UTF-8 without BOM is required)")
            }
        }
        if carry.isEmpty {
            let used = scan(chunk, atEnd: false, record, finding)
            if used < chunk.count { carry.append(contentsOf: chunk[used...]) }
        } else {
            carry.append(contentsOf: chunk)
            let work = carry
            let used = work.withUnsafeBytes { scan($0, atEnd: false, record, finding) }
            carry.removeFirst(used)
        }
    }

    /// Ends the file: a last record without CR LF is a finding (and still delivered).
    public mutating func finish(record: (GdpduRecord) -> Void, finding: (Int, String) -> Void) {
        guard !carry.isEmpty else { return }
        let work = carry
        carry = []
        _ = work.withUnsafeBytes { scan($0, atEnd: true, record, finding) }
    }

    /// Scans the complete records at the front of `b`; returns the bytes used.
    private mutating func scan(_ b: UnsafeRawBufferPointer, atEnd: Bool, _ record: (GdpduRecord) -> Void,
                               _ finding: (Int, String) -> Void) -> Int {
        var at = 0
        while at < b.count {
            switch fast(b, from: at) {
            case .complete(let end):
                line += 1
                deliver(b, record)
                at = end
            case .incomplete where !atEnd:
                return at
            case .incomplete, .irregular:
                var found: [(Int, String)] = []
                guard let end = slow(b, from: at, atEnd: atEnd, { found.append(($0, $1)) }) else { return at }
                for (l, m) in found { finding(l, m) }
                line += 1
                deliver(b, record)
                at = end
            }
        }
        return at
    }

    private func deliver(_ b: UnsafeRawBufferPointer, _ record: (GdpduRecord) -> Void) {
        scratch.withUnsafeBytes { s in
            spans.withUnsafeBufferPointer { record(GdpduRecord(base: b, scratch: s, spans: $0, line: line)) }
        }
    }

    enum Outcome { case complete(end: Int), incomplete, irregular }

    /// A well-formed record from `start`: fields in place (doubled quotes unescaped into scratch).
    private mutating func fast(_ b: UnsafeRawBufferPointer, from start: Int) -> Outcome {
        spans.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        let n = b.count
        var i = start
        while true {
            guard i < n else { return .incomplete }
            if b[i] == 0x22 {
                // Quoted: to the closing quote; "" is a quote; CR or LF inside is irregular.
                var j = i + 1
                var escaped = false
                while true {
                    // The next quote by memchr (SIMD in glibc); a line break before it is irregular.
                    guard j < n, let q = memchr(b.baseAddress! + j, 0x22, n - j) else { return .incomplete }
                    let k = b.baseAddress!.distance(to: UnsafeRawPointer(q))
                    if Self.hasLineBreak(b, j, k) { return .irregular }
                    guard k + 1 < n else { return .incomplete }
                    if b[k + 1] == 0x22 {
                        escaped = true
                        j = k + 2
                        continue
                    }
                    j = k
                    break
                }
                if escaped {
                    let from = scratch.count
                    var k = i + 1
                    while k < j {
                        scratch.append(b[k])
                        k += b[k] == 0x22 ? 2 : 1
                    }
                    spans.append(GdpduRecord.Span(start: from, count: scratch.count - from, quoted: true, inScratch: true))
                } else {
                    spans.append(GdpduRecord.Span(start: i + 1, count: j - i - 1, quoted: true, inScratch: false))
                }
                i = j + 1
            } else {
                var j = i
                while j < n {
                    let c = b[j]
                    if c == 0x3B || c == 0x0D { break }
                    if c == 0x0A || c == 0x22 { return .irregular }
                    j += 1
                }
                guard j < n else { return .incomplete }
                spans.append(GdpduRecord.Span(start: i, count: j - i, quoted: false, inScratch: false))
                i = j
            }
            guard i < n else { return .incomplete }
            switch b[i] {
            case 0x3B:
                i += 1
            case 0x0D:
                guard i + 1 < n else { return .incomplete }
                return b[i + 1] == 0x0A ? .complete(end: i + 2) : .irregular
            default:
                return .irregular
            }
        }
    }

    /// Whether `b[from..<to]` holds CR or LF (eight bytes at a time: a byte equal to 0x0D or 0x0A
    /// shows as a zero byte after XOR, found by the classic has-zero-byte test).
    @inline(__always)
    static func hasLineBreak(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Bool {
        var i = from
        let cr: UInt64 = 0x0D0D_0D0D_0D0D_0D0D, lf: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let low: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= to {
            let w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let x = w ^ cr, y = w ^ lf
            if ((x &- low) & ~x & high) | ((y &- low) & ~y & high) != 0 { return true }
            i += 8
        }
        while i < to {
            if b[i] == 0x0D || b[i] == 0x0A { return true }
            i += 1
        }
        return false
    }

    /// Any record from `start`, byte by byte, every violation reported; the fields are copied into
    /// scratch. nil when the record does not end in `b` and more may come.
    private mutating func slow(_ b: UnsafeRawBufferPointer, from start: Int, atEnd: Bool, _ finding: (Int, String) -> Void) -> Int? {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        spans.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        let here = line + 1
        var state = State.fieldStart
        var fieldStart = 0
        var quoted = false
        func endField() {
            spans.append(GdpduRecord.Span(start: fieldStart, count: scratch.count - fieldStart, quoted: quoted, inScratch: true))
            fieldStart = scratch.count
            quoted = false
            state = .fieldStart
        }
        var i = start
        while i < b.count {
            let c = b[i]
            i += 1
            switch state {
            case .fieldStart, .unquoted:
                switch c {
                case 0x3B:
                    endField()
                case 0x0D:
                    guard i < b.count else {
                        if !atEnd { return nil }
                        finding(here, "a bare CR (records end with CR LF)")
                        continue
                    }
                    if b[i] == 0x0A {
                        endField()
                        return i + 1
                    }
                    finding(here, "a bare CR (records end with CR LF)")
                case 0x0A:
                    finding(here, "a bare LF (records end with CR LF)")
                case 0x22 where state == .fieldStart:
                    quoted = true
                    state = .quoted
                case 0x22:
                    finding(here, "a quote inside an unquoted field")
                    scratch.append(c)
                default:
                    scratch.append(c)
                    state = .unquoted
                }
            case .quoted:
                if c == 0x22 {
                    state = .quoteInQuoted
                } else {
                    if c == 0x0D || c == 0x0A { finding(here, "a line break inside a value (IDEA cannot import it)") }
                    scratch.append(c)
                }
            case .quoteInQuoted:
                switch c {
                case 0x22:
                    scratch.append(c)
                    state = .quoted
                case 0x3B:
                    endField()
                case 0x0D:
                    guard i < b.count else {
                        if !atEnd { return nil }
                        continue
                    }
                    if b[i] == 0x0A {
                        endField()
                        return i + 1
                    }
                    finding(here, "a bare CR (records end with CR LF)")
                    state = .unquoted
                default:
                    finding(here, "text after a closing quote")
                    scratch.append(c)
                    state = .unquoted
                }
            }
        }
        guard atEnd else { return nil }
        if state == .quoted { finding(here, "a quoted value that never closes") }
        finding(here, "the last record does not end with CR LF")
        endField()
        return b.count
    }
}
