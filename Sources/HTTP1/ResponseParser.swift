/// A stateless, incremental HTTP/1.1 response-head parser for the S3 client (RFC 9112 §4, §5):
/// `complete(head, consumed)`, `incomplete` or `invalid`. Strict where the server's answer
/// decides what we store: CRLF line ends, token field names, no whitespace before the colon,
/// no obs-fold, no control characters in values, a three-digit status. Bounded by the request
/// limits' field-line, section and count limits.
public enum ResponseParser {
    public enum Result: Sendable, Equatable {
        case complete(ResponseHead, consumed: Int)
        case incomplete
        case invalid(HTTPError)
    }

    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Result {
        // The end of the head: the first CRLF CRLF.
        let n = bytes.count
        var end = -1
        var i = 0
        while i + 3 < n {
            if bytes[i] == ByteClass.cr && bytes[i + 1] == ByteClass.lf && bytes[i + 2] == ByteClass.cr && bytes[i + 3] == ByteClass.lf {
                end = i
                break
            }
            i += 1
        }
        guard end >= 0 else {
            return n > limits.requestLine + limits.headerSection ? .invalid(HTTPError(502, "response_head_too_large")) : .incomplete
        }
        guard end <= limits.requestLine + limits.headerSection else { return .invalid(HTTPError(502, "response_head_too_large")) }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var k = 0
        while k <= end {
            if k == end || (bytes[k] == ByteClass.cr && k + 1 < n && bytes[k + 1] == ByteClass.lf) {
                lines.append(bytes[start..<k])
                k += 2
                start = k
                continue
            }
            if bytes[k] == ByteClass.cr || bytes[k] == ByteClass.lf { return .invalid(HTTPError(502, "bare_cr_or_lf")) }
            k += 1
        }
        guard let statusLine = lines.first else { return .invalid(HTTPError(502, "no_status_line")) }
        guard let (version, status, reason) = Self.statusLine(statusLine) else { return .invalid(HTTPError(502, "invalid_status_line")) }
        guard lines.count - 1 <= limits.fieldCount else { return .invalid(HTTPError(502, "too_many_fields")) }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard line.count <= limits.fieldLine else { return .invalid(HTTPError(502, "field_too_long")) }
            guard let colon = line.firstIndex(of: ByteClass.colon), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(ByteClass.isTchar) else {
                return .invalid(HTTPError(502, line.first == ByteClass.sp || line.first == ByteClass.htab ? "obs_fold" : "invalid_field"))
            }
            var value = line[(colon + 1)...]
            while let f = value.first, f == ByteClass.sp || f == ByteClass.htab { value = value.dropFirst() }
            while let l = value.last, l == ByteClass.sp || l == ByteClass.htab { value = value.dropLast() }
            guard value.allSatisfy(ByteClass.isFieldValue) else { return .invalid(HTTPError(502, "invalid_field_value")) }
            headers.add(String(decoding: line[line.startIndex..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return .complete(ResponseHead(version: version, status: status, reason: reason, headers: headers), consumed: end + 4)
    }

    /// `HTTP/1.x SP 3DIGIT SP reason` (the reason may be empty, its SP too: servers omit it).
    static func statusLine(_ line: ArraySlice<UInt8>) -> (HTTPVersion, Int, String)? {
        let b = Array(line)
        guard b.count >= 12, Array(b[0..<7]) == Array("HTTP/1.".utf8), b[7] >= 0x30, b[7] <= 0x39, b[8] == ByteClass.sp,
              let status = DecimalParsing.decimal(b[9..<12]), status >= 100, status <= 599 else { return nil }
        guard b.count == 12 || b[12] == ByteClass.sp else { return nil }
        let reason = b.count > 13 ? b[13...] : []
        guard reason.allSatisfy(ByteClass.isFieldValue) else { return nil }
        return (HTTPVersion(major: 1, minor: Int(b[7] - 0x30)), Int(status), String(decoding: reason, as: UTF8.self))
    }
}
