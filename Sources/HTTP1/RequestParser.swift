/// A stateless, incremental HTTP/1.1 request-head parser (RFC 9112 §2–§6, strict profile of
/// docs/http-conformance.md). Give it every byte received since the end of the previous request;
/// it answers `complete(head, consumed)`, `incomplete` or `invalid(error)`. It keeps no buffer,
/// never allocates for rejected input, and treats the bytes as octets, never as a `String`.
public enum RequestParser {
    public enum Result: Sendable, Equatable {
        case complete(RequestHead, consumed: Int)
        case incomplete
        case invalid(HTTPError)
    }

    /// Parses `bytes`.
    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Result {
        bytes.withUnsafeBytes { parse($0, limits: limits) }
    }

    /// Parses `buffer`.
    public static func parse(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits = HTTPLimits()) -> Result {
        var scanner = Scanner(b: buffer, limits: limits)
        do {
            guard let head = try scanner.head() else { return .incomplete }
            return .complete(head, consumed: scanner.i)
        } catch {
            return .invalid(error)
        }
    }
}

/// The parsing cursor. `nil` results mean "need more bytes"; errors are final.
private struct Scanner {
    let b: UnsafeRawBufferPointer
    let limits: HTTPLimits
    var i = 0

    init(b: UnsafeRawBufferPointer, limits: HTTPLimits) {
        self.b = b
        self.limits = limits
    }

    var n: Int { b.count }

    /// Byte `k` of `HTTP/`, the case-sensitive start of HTTP-version (RFC 9112 §2.3): the five
    /// bytes packed little-endian into one constant (no array per request).
    @inline(__always) static func httpNameByte(_ k: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (0x2F_50_54_54_48 as UInt64) >> UInt64(8 * k))
    }

    mutating func head() throws(HTTPError) -> RequestHead? {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        // We ignore up to four (a keep-alive client's stray CRLF after a body), no more.
        var empty = 0
        while i < n, b[i] == ByteClass.cr || b[i] == ByteClass.lf {
            if b[i] == ByteClass.lf { throw .bad("bare_lf") }
            guard i + 1 < n else { return nil }
            guard b[i + 1] == ByteClass.lf else { throw .bad("bare_cr") }
            i += 2
            empty += 1
            if empty > 4 { throw .bad("empty_lines_before_request") }
        }
        let lineStart = i

        // method = token (RFC 9110 §9.1), case-sensitive
        while i < n, ByteClass.isTchar(b[i]) {
            i += 1
            if i - lineStart > limits.method { throw HTTPError(501, "method_too_long") }
        }
        guard i < n else { return nil }
        guard i > lineStart else { throw .bad("empty_method") }
        guard b[i] == ByteClass.sp else { throw .bad("invalid_method") }
        let method = string(lineStart, i)
        i += 1

        // request-target: one SP on each side, visible ASCII only; where the query starts and
        // whether there is a fragment, noted on the way (no second scan of a `String`).
        let targetStart = i
        var queryMark: Int?
        var hasFragment = false
        while i < n, ByteClass.isTargetByte(b[i]) {
            if b[i] == UInt8(ascii: "?") && queryMark == nil { queryMark = i }
            if b[i] == UInt8(ascii: "#") { hasFragment = true }
            i += 1
            if i - lineStart > limits.requestLine { throw HTTPError(414, "request_line_too_long") }
        }
        guard i < n else { return nil }
        guard i > targetStart else { throw .bad("empty_target") }
        guard b[i] == ByteClass.sp else {
            throw .bad(b[i] == ByteClass.cr || b[i] == ByteClass.lf ? "missing_version" : "invalid_target")
        }
        let targetEnd = i
        i += 1

        // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF (RFC 9112 §2.3)
        let versionStart = i
        for k in 0..<10 {
            guard versionStart + k < n else { return nil }
            let c = b[versionStart + k]
            switch k {
            case 0..<5: guard c == Self.httpNameByte(k) else { throw .bad("invalid_version") }
            case 5, 7: guard c >= 0x30 && c <= 0x39 else { throw .bad("invalid_version") }
            case 6: guard c == UInt8(ascii: ".") else { throw .bad("invalid_version") }
            case 8: guard c == ByteClass.cr else { throw .bad(c == ByteClass.lf ? "bare_lf" : "invalid_version") }
            default: guard c == ByteClass.lf else { throw .bad("bare_cr") }
            }
        }
        let major = Int(b[versionStart + 5] - 0x30), minor = Int(b[versionStart + 7] - 0x30)
        guard major == 1 else { throw HTTPError(505, "unsupported_version") }
        let version: HTTPVersion = minor == 0 ? .http10 : .http11
        i = versionStart + 10
        if i - 2 - lineStart > limits.requestLine { throw HTTPError(414, "request_line_too_long") }

        guard let fields = try fieldLines() else { return nil }
        // origin-form, the common case: path and query straight from the bytes.
        var origin: (path: String, query: String?)?
        if b[targetStart] == UInt8(ascii: "/") && !hasFragment {
            origin = (string(targetStart, queryMark ?? targetEnd), queryMark.map { string($0 + 1, targetEnd) })
        }
        return try interpret(method: method, target: string(targetStart, targetEnd), version: version, fields: fields,
                             hasFragment: hasFragment, origin: origin)
    }

    /// Field lines up to and including the empty line (RFC 9112 §5).
    mutating func fieldLines() throws(HTTPError) -> HTTPHeaders? {
        var headers = HTTPHeaders()
        // One allocation for a typical browser's or client's fields instead of growing 1, 2, 4, 8.
        headers.reserveCapacity(16)
        let sectionStart = i
        while true {
            guard i < n else { return try incompleteSection(sectionStart, lineStart: i) }
            if i - sectionStart > limits.headerSection { throw HTTPError(431, "header_section_too_large") }
            let c = b[i]
            if c == ByteClass.cr {
                guard i + 1 < n else { return nil }
                guard b[i + 1] == ByteClass.lf else { throw .bad("bare_cr") }
                i += 2
                return headers
            }
            if c == ByteClass.lf { throw .bad("bare_lf") }
            // obs-fold, or whitespace before the first field line (RFC 9112 §5.2, §2.2)
            if c == ByteClass.sp || c == ByteClass.htab { throw .bad("obs_fold") }
            let lineStart = i
            while i < n, ByteClass.isTchar(b[i]) { i += 1 }
            guard i < n else { return try incompleteSection(sectionStart, lineStart: lineStart) }
            guard b[i] == ByteClass.colon else {
                if b[i] == ByteClass.sp || b[i] == ByteClass.htab { throw .bad("whitespace_before_colon") }
                throw .bad(i == lineStart ? "empty_field_name" : "invalid_field_name")
            }
            guard i > lineStart else { throw .bad("empty_field_name") }
            let name = string(lineStart, i)
            i += 1
            while i < n, b[i] == ByteClass.sp || b[i] == ByteClass.htab { i += 1 }
            let valueStart = i
            while i < n, ByteClass.isFieldValue(b[i]) { i += 1 }
            guard i < n else { return try incompleteSection(sectionStart, lineStart: lineStart) }
            switch b[i] {
            case ByteClass.cr:
                guard i + 1 < n else { return try incompleteSection(sectionStart, lineStart: lineStart) }
                guard b[i + 1] == ByteClass.lf else { throw .bad("bare_cr") }
            case ByteClass.lf: throw .bad("bare_lf")
            default: throw .bad(b[i] == 0 ? "nul_in_field_value" : "control_in_field_value")
            }
            var valueEnd = i
            while valueEnd > valueStart, b[valueEnd - 1] == ByteClass.sp || b[valueEnd - 1] == ByteClass.htab { valueEnd -= 1 }
            if i - lineStart > limits.fieldLine { throw HTTPError(431, "field_line_too_large") }
            headers.add(name, string(valueStart, valueEnd))
            if headers.count > limits.fieldCount { throw HTTPError(431, "too_many_fields") }
            i += 2
        }
    }

    /// More bytes are needed, unless what is buffered already breaks a limit.
    func incompleteSection(_ sectionStart: Int, lineStart: Int) throws(HTTPError) -> HTTPHeaders? {
        if n - lineStart > limits.fieldLine { throw HTTPError(431, "field_line_too_large") }
        if n - sectionStart > limits.headerSection { throw HTTPError(431, "header_section_too_large") }
        return nil
    }

    func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }

    // MARK: meaning of the head

    /// `hasFragment`: the target holds a `#`; `origin`: the path and query of an origin-form
    /// target, split by the caller while scanning it.
    func interpret(method: String, target: String, version: HTTPVersion, fields: HTTPHeaders, hasFragment: Bool,
                   origin: (path: String, query: String?)?) throws(HTTPError) -> RequestHead {
        // One pass over the fields for everything framing depends on (no per-name arrays on the
        // common path: most requests carry one Host and nothing else of interest).
        var hostCount = 0
        var firstHost: String?
        var lengths: [String] = []
        var codings: [String] = []
        var expectations: [String] = []
        var close = false, keepAliveOption = false
        // In place, by index: `for field in fields` would copy every field (four reference counts).
        let all = fields.fields
        for k in all.indices {
            switch all[k].name.utf8.count {
            case 4 where all[k].hasName("host"):
                hostCount += 1
                if firstHost == nil { firstHost = all[k].value }
            case 14 where all[k].hasName("content-length"):
                lengths.append(all[k].value)
            case 17 where all[k].hasName("transfer-encoding"):
                codings.append(all[k].value)
            case 6 where all[k].hasName("expect"):
                expectations.append(all[k].value)
            case 10 where all[k].hasName("connection"):
                for option in all[k].value.split(separator: ",") {
                    let token = option.trimmingWhitespace()
                    if ByteClass.equalsLowercase(token.utf8, "close") { close = true }
                    if ByteClass.equalsLowercase(token.utf8, "keep-alive") { keepAliveOption = true }
                }
            default:
                break
            }
        }

        // Host: exactly one in HTTP/1.1, at most one in 1.0, always valid (RFC 9112 §3.2).
        if version == .http11 && hostCount == 0 { throw .bad("missing_host") }
        if hostCount > 1 { throw .bad("duplicate_host") }
        if let host = firstHost, !host.isEmpty, !Self.isValidAuthority(host) { throw .bad("invalid_host") }

        // Request-target forms (RFC 9112 §3.2).
        var authority = firstHost
        let path: String
        var query: String?
        let t = target.utf8
        if hasFragment { throw .bad("fragment_in_target") }
        if method == "CONNECT" {
            guard Self.isValidAuthority(target), target.contains(":") else { throw .bad("invalid_authority_form") }
            authority = target
            path = ""
        } else if target == "*" {
            guard method == "OPTIONS" else { throw .bad("asterisk_form_not_options") }
            path = "*"
        } else if let origin {
            (path, query) = origin
        } else if let schemeEnd = Self.absoluteSchemeEnd(t) {
            let rest = target.utf8.dropFirst(schemeEnd)
            let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
            let targetAuthority = String(Substring(rest[..<authorityEnd]))
            guard !targetAuthority.isEmpty, Self.isValidAuthority(targetAuthority) else { throw .bad("invalid_absolute_form") }
            authority = targetAuthority   // the target's authority wins; Host is ignored
            let remainder = Substring(rest[authorityEnd...])
            (path, query) = Self.splitQuery(remainder.first == "/" ? remainder : Substring("/" + remainder))
        } else {
            throw .bad("invalid_target")
        }

        // Content-Length: 1*DIGIT, exactly one value (RFC 9112 §6.3; duplicates refused by policy).
        var framing = BodyFraming.none
        if !lengths.isEmpty {
            let elements = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            guard elements.count == 1 else { throw .bad("duplicate_content_length") }
            guard let length = DecimalParsing.decimal(elements[0].utf8) else { throw .bad("invalid_content_length") }
            framing = length > 0 ? .contentLength(length) : .none
        }

        // Transfer-Encoding (RFC 9112 §6.1, §7): only a lone, final `chunked`.
        if !codings.isEmpty {
            if version == .http10 { throw .bad("transfer_encoding_in_http10") }
            if codings.count > 1 { throw .bad("duplicate_transfer_encoding") }
            if !lengths.isEmpty { throw .bad("content_length_with_transfer_encoding") }
            let elements = codings[0].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            for element in elements where element.isEmpty || !element.utf8.allSatisfy(ByteClass.isTchar) {
                throw .bad("invalid_transfer_encoding")
            }
            let chunked = elements.map { ByteClass.equalsLowercase($0.utf8, "chunked") }
            if let position = chunked.firstIndex(of: true), position != elements.count - 1 || chunked.filter({ $0 }).count > 1 {
                throw .bad("chunked_not_final")
            }
            guard elements.count == 1, chunked[0] else { throw HTTPError(501, "unsupported_transfer_coding") }
            framing = .chunked
        }

        // Expect (RFC 9110 §10.1.1): 100-continue in 1.1; ignored in 1.0; anything else 417.
        var expectContinue = false
        for expectation in expectations {
            guard ByteClass.equalsLowercase(expectation.utf8, "100-continue") else { throw HTTPError(417, "unsupported_expectation") }
            expectContinue = version == .http11
        }

        // Connection (RFC 9112 §9.3): persistent by default in 1.1, opt-in in 1.0.
        let keepAlive = !close && (version == .http11 || keepAliveOption)

        return RequestHead(method: method, target: target, version: version, headers: fields, framing: framing,
                           keepAlive: keepAlive, expectContinue: expectContinue, authority: authority,
                           path: path, query: query)
    }

    static func splitQuery(_ s: Substring) -> (String, String?) {
        // Byte search: '?' is ASCII, so a UTF-8 index is a valid split point.
        guard let q = s.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (String(s), nil) }
        return (String(Substring(s.utf8[..<q])), String(Substring(s.utf8[s.utf8.index(after: q)...])))
    }

    /// Length of `http://` or `https://` (scheme case-insensitive), or nil.
    static func absoluteSchemeEnd(_ t: String.UTF8View) -> Int? {
        if t.count > 7, ByteClass.equalsLowercase(t.prefix(7), "http://") { return 7 }
        if t.count > 8, ByteClass.equalsLowercase(t.prefix(8), "https://") { return 8 }
        return nil
    }

    /// `uri-host [ ":" port ]` (RFC 3986 §3.2.2): a bracketed IP literal or a reg-name/IPv4 of
    /// unreserved, pct-encoded and sub-delims characters except `,` (which is how two hosts in one
    /// field would appear); a port of digits only. No userinfo, path or whitespace.
    static func isValidAuthority(_ s: String) -> Bool {
        // Byte-wise over the string's contiguous UTF-8: every delimiter here is ASCII.
        var s = s
        return s.withUTF8 { b in
            var portStart = b.count
            if b.first == UInt8(ascii: "[") {
                guard let close = b.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
                for k in 1..<close where !(isHex(b[k]) || b[k] == UInt8(ascii: ":") || b[k] == UInt8(ascii: ".")) { return false }
                if close + 1 < b.count {
                    guard b[close + 1] == UInt8(ascii: ":") else { return false }
                    portStart = close + 2
                }
            } else {
                var hostEnd = b.count
                if let colon = b.lastIndex(of: UInt8(ascii: ":")) {
                    hostEnd = colon
                    portStart = colon + 1
                }
                guard hostEnd > 0 else { return false }
                for k in 0..<hostEnd where !ByteClass.isRegName(b[k]) { return false }
            }
            guard b.count - portStart <= 5 else { return false }
            for k in portStart..<b.count where !(b[k] >= 0x30 && b[k] <= 0x39) { return false }
            return true
        }
    }

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
}
