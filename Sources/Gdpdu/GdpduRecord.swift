/// One record of a data file as `GdpduRecordScanner` found it, valid only during the call that
/// receives it: each field's bytes (quotes removed, `""` made one) and whether it was quoted —
/// read in place from the scanned buffer, copied only when a field had doubled quotes or the
/// record was irregular.
public struct GdpduRecord {
    struct Span {
        var start: Int
        var count: Int
        var quoted: Bool
        /// In the scratch buffer (unescaped or repaired), not in the scanned one.
        var inScratch: Bool
    }

    let base: UnsafeRawBufferPointer
    let scratch: UnsafeRawBufferPointer
    let spans: UnsafeBufferPointer<Span>
    /// The record's line in the file (the header is line 1).
    public let line: Int

    public var count: Int { spans.count }

    /// Field `i`'s bytes.
    @inline(__always)
    public subscript(i: Int) -> UnsafeRawBufferPointer {
        let s = spans[i]
        return UnsafeRawBufferPointer(rebasing: (s.inScratch ? scratch : base)[s.start..<(s.start + s.count)])
    }

    /// Whether field `i` was in quotes.
    @inline(__always)
    public func isQuoted(_ i: Int) -> Bool { spans[i].quoted }
}
