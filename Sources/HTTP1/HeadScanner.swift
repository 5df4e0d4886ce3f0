/// Finds where a request head ends, resuming where it stopped: each byte of a head that arrives
/// in pieces is looked at once, not once per read (picohttpparser's `last_len`; the stateless
/// `RequestParser` on every read made a head sent a byte at a time cost O(n²) up to 16 KiB).
///
/// It checks the syntax the parser checks, byte by byte, in the parser's order, with the same
/// errors at the same prefixes (`HeadScannerTests` holds the two to each other on every prefix
/// of every vector): a malformed line is refused as soon as the parser would refuse it. What
/// needs the whole head (Host rules, framing, Expect) is left to `RequestParser`, which the
/// caller runs once on the head this scanner found complete.
///
/// Offsets are into the bytes given: the caller passes everything received since the end of
/// the previous request, growing, and starts a new scanner for the next request.
public struct HeadScanner: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// The head is not complete; nothing wrong so far.
        case needMore
        /// The empty line ending the head ends at this offset (what `RequestParser` consumes).
        case complete(end: Int)
        case invalid(HTTPError)
    }

    enum State: Sendable, Equatable {
        /// Empty lines before the request line (RFC 9112 §2.2).
        case emptyLines
        case method
        case target
        case version
        /// At the start of a field line or of the empty line ending the section.
        case lineStart
        /// In a field name.
        case name
        /// After the colon: optional whitespace and the value, up to CR.
        case value
    }

    var state = State.emptyLines
    /// The next byte to look at.
    var i = 0
    var emptyLines = 0
    /// Where the request line or the current field line starts.
    var lineStart = 0
    /// Where the request-target or the HTTP-version starts.
    var tokenStart = 0
    /// Where the field section starts.
    var sectionStart = 0
    var fieldCount = 0

    public init() {}

    /// Whether any byte was looked at yet.
    public var isFresh: Bool { i == 0 && state == .emptyLines }

    /// The next byte to look at: a call resumes here.
    public var position: Int { i }

    /// Scans the bytes of `buffer` not scanned yet (`buffer` holds every byte given before).
    public mutating func scan(_ b: UnsafeRawBufferPointer, limits: HTTPLimits) -> Result {
        let n = b.count
        do throws(HTTPError) {
            while i < n {
                let c = b[i]
                switch state {
                case .emptyLines:
                    guard c == ByteClass.cr || c == ByteClass.lf else {
                        lineStart = i
                        state = .method
                        continue
                    }
                    if c == ByteClass.lf { throw HTTPError.bad("bare_lf") }
                    guard i + 1 < n else { return .needMore }
                    guard b[i + 1] == ByteClass.lf else { throw HTTPError.bad("bare_cr") }
                    i += 2
                    emptyLines += 1
                    if emptyLines > 4 { throw HTTPError.bad("empty_lines_before_request") }
                case .method:
                    if ByteClass.isTchar(c) {
                        i += 1
                        if i - lineStart > limits.method { throw HTTPError(501, "method_too_long") }
                        continue
                    }
                    guard i > lineStart else { throw HTTPError.bad("empty_method") }
                    guard c == ByteClass.sp else { throw HTTPError.bad("invalid_method") }
                    i += 1
                    tokenStart = i
                    state = .target
                case .target:
                    if ByteClass.isTargetByte(c) {
                        i += 1
                        if i - lineStart > limits.requestLine { throw HTTPError(414, "request_line_too_long") }
                        continue
                    }
                    guard i > tokenStart else { throw HTTPError.bad("empty_target") }
                    guard c == ByteClass.sp else {
                        throw HTTPError.bad(c == ByteClass.cr || c == ByteClass.lf ? "missing_version" : "invalid_target")
                    }
                    i += 1
                    tokenStart = i
                    state = .version
                case .version:
                    // "HTTP/" DIGIT "." DIGIT CRLF (RFC 9112 §2.3), as `RequestParser` checks it.
                    let k = i - tokenStart
                    switch k {
                    case 0..<5:
                        guard c == UInt8(truncatingIfNeeded: (0x2F_50_54_54_48 as UInt64) >> UInt64(8 * k)) else {
                            throw HTTPError.bad("invalid_version")
                        }
                    case 5, 7: guard c >= 0x30 && c <= 0x39 else { throw HTTPError.bad("invalid_version") }
                    case 6: guard c == UInt8(ascii: ".") else { throw HTTPError.bad("invalid_version") }
                    case 8: guard c == ByteClass.cr else { throw HTTPError.bad(c == ByteClass.lf ? "bare_lf" : "invalid_version") }
                    default: guard c == ByteClass.lf else { throw HTTPError.bad("bare_cr") }
                    }
                    i += 1
                    if k == 9 {
                        guard b[tokenStart + 5] == UInt8(ascii: "1") else { throw HTTPError(505, "unsupported_version") }
                        if i - 2 - lineStart > limits.requestLine { throw HTTPError(414, "request_line_too_long") }
                        sectionStart = i
                        state = .lineStart
                    }
                case .lineStart:
                    if i - sectionStart > limits.headerSection { throw HTTPError(431, "header_section_too_large") }
                    if c == ByteClass.cr {
                        // The empty line: no limit is checked while its LF is awaited.
                        guard i + 1 < n else { return .needMore }
                        guard b[i + 1] == ByteClass.lf else { throw HTTPError.bad("bare_cr") }
                        i += 2
                        return .complete(end: i)
                    }
                    if c == ByteClass.lf { throw HTTPError.bad("bare_lf") }
                    if c == ByteClass.sp || c == ByteClass.htab { throw HTTPError.bad("obs_fold") }
                    lineStart = i
                    state = .name
                case .name:
                    if ByteClass.isTchar(c) {
                        i += 1
                        continue
                    }
                    guard c == ByteClass.colon else {
                        if c == ByteClass.sp || c == ByteClass.htab { throw HTTPError.bad("whitespace_before_colon") }
                        throw HTTPError.bad(i == lineStart ? "empty_field_name" : "invalid_field_name")
                    }
                    guard i > lineStart else { throw HTTPError.bad("empty_field_name") }
                    i += 1
                    state = .value
                case .value:
                    if ByteClass.isFieldValue(c) {
                        i += 1
                        continue
                    }
                    switch c {
                    case ByteClass.cr:
                        guard i + 1 < n else { return try endOfBuffer(n, limits) }
                        guard b[i + 1] == ByteClass.lf else { throw HTTPError.bad("bare_cr") }
                    case ByteClass.lf: throw HTTPError.bad("bare_lf")
                    default: throw HTTPError.bad(c == 0 ? "nul_in_field_value" : "control_in_field_value")
                    }
                    if i - lineStart > limits.fieldLine { throw HTTPError(431, "field_line_too_large") }
                    fieldCount += 1
                    if fieldCount > limits.fieldCount { throw HTTPError(431, "too_many_fields") }
                    i += 2
                    state = .lineStart
                }
            }
            return try endOfBuffer(n, limits)
        } catch {
            return .invalid(error)
        }
    }

    /// The buffer ended inside the head: what `RequestParser` checks then (its
    /// `incompleteSection`) — the limits the bytes so far already break.
    private func endOfBuffer(_ n: Int, _ limits: HTTPLimits) throws(HTTPError) -> Result {
        switch state {
        case .emptyLines, .method, .target, .version:
            return .needMore
        case .lineStart:
            if n - sectionStart > limits.headerSection { throw HTTPError(431, "header_section_too_large") }
            return .needMore
        case .name, .value:
            if n - lineStart > limits.fieldLine { throw HTTPError(431, "field_line_too_large") }
            if n - sectionStart > limits.headerSection { throw HTTPError(431, "header_section_too_large") }
            return .needMore
        }
    }
}
