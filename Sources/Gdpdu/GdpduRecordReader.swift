/// `GdpduRecordScanner` with each record's fields as owned values: for callers that keep records
/// (tests, small files). The checks of large files use the scanner's views directly.
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

    private var scanner = GdpduRecordScanner()

    /// Records completed so far (the header line included); a finding's line is this + 1.
    public var line: Int { scanner.line }

    public init() {}

    /// Feeds `chunk`; `record` gets every completed record, `finding` every violation (line, what).
    public mutating func feed(_ chunk: some Collection<UInt8>, record emit: ([Field], Int) -> Void, finding: (Int, String) -> Void) {
        Array(chunk).withUnsafeBytes { bytes in
            scanner.feed(bytes, record: { emit(Self.fields($0), $0.line) }, finding: finding)
        }
    }

    /// Ends the file: a last record without CR LF is a finding (and still delivered).
    public mutating func finish(record emit: ([Field], Int) -> Void, finding: (Int, String) -> Void) {
        scanner.finish(record: { emit(Self.fields($0), $0.line) }, finding: finding)
    }

    static func fields(_ r: GdpduRecord) -> [Field] {
        (0..<r.count).map { Field(Array(r[$0]), quoted: r.isQuoted($0)) }
    }
}
