/// An incremental decoder for the chunked transfer coding (RFC 9112 §7.1), fed arbitrary pieces.
///
///     chunk      = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///     last-chunk = 1*"0" [ chunk-ext ] CRLF, then trailer-section CRLF
///
/// Sizes are overflow-checked hex; extensions are validated, bounded and ignored; trailers are
/// parsed with the field-line rules, bounded, and never merged into the header section
/// (§7.1.2). The decoded size counts against the body limit (413). Framing overhead is bounded:
/// more than 100 KiB of framing while the payload is under a quarter of the bytes is refused.
public struct ChunkedDecoder: Sendable {
    public enum Status: Sendable, Equatable {
        case needMore
        /// The last chunk and the trailer section were read; `trailers` are kept apart.
        case done
        case invalid(HTTPError)
    }

    private enum State: Sendable {
        case sizeLine
        case data(remaining: Int64)
        case dataCR
        case dataLF
        case trailers
        case finished
        case failed(HTTPError)
    }

    private let limits: HTTPLimits
    private let bodyLimit: Int64
    private var state = State.sizeLine
    private var line: [UInt8] = []
    private var framingBytes = 0
    private var trailerBytes = 0
    public private(set) var decodedBytes: Int64 = 0
    public private(set) var trailers = HTTPHeaders()

    public init(limits: HTTPLimits = HTTPLimits(), bodyLimit: Int? = nil) {
        self.limits = limits
        self.bodyLimit = Int64(bodyLimit ?? limits.body)
    }

    /// Decodes `input`, appending payload bytes to `output`. Returns how many bytes of `input`
    /// were consumed (all of them unless the body ended inside it) and the status.
    public mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> (consumed: Int, status: Status) {
        var i = 0
        let n = input.count
        while true {
            switch state {
            case .finished: return (i, .done)
            case .failed(let error): return (i, .invalid(error))
            case .data(let remaining):
                guard i < n else { return (i, .needMore) }
                let take = Int(min(remaining, Int64(n - i)))
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = remaining - Int64(take) == 0 ? .dataCR : .data(remaining: remaining - Int64(take))
            case .dataCR:
                guard i < n else { return (i, .needMore) }
                framingBytes += 1
                guard input[i] == 0x0D else { return fail(i, .bad("missing_chunk_crlf")) }
                i += 1
                state = .dataLF
            case .dataLF:
                guard i < n else { return (i, .needMore) }
                framingBytes += 1
                guard input[i] == 0x0A else { return fail(i, .bad("bare_cr_after_chunk")) }
                i += 1
                state = .sizeLine
            case .sizeLine, .trailers:
                guard i < n else { return (i, .needMore) }
                let byte = input[i]
                i += 1
                framingBytes += 1
                if byte == 0x0A {
                    guard line.last == 0x0D else { return fail(i, .bad("bare_lf_in_chunk_line")) }
                    line.removeLast()
                    if case .sizeLine = state {
                        if let error = sizeLine() { return fail(i, error) }
                    } else if let error = trailerLine() {
                        return fail(i, error)
                    }
                    line.removeAll(keepingCapacity: true)
                    if framingBytes > 100 * 1024 && decodedBytes * 4 < Int64(framingBytes) + decodedBytes {
                        return fail(i, .bad("chunk_overhead"))
                    }
                    continue
                }
                if line.last == 0x0D { return fail(i, .bad("bare_cr_in_chunk_line")) }
                line.append(byte)
                if case .sizeLine = state {
                    if line.count > 16 + 1 + limits.chunkExtension { return fail(i, .bad("chunk_extension_too_long")) }
                } else {
                    trailerBytes += 1
                    if line.count > limits.fieldLine { return fail(i, HTTPError(431, "trailer_line_too_large")) }
                    if trailerBytes > limits.headerSection { return fail(i, HTTPError(431, "trailer_section_too_large")) }
                }
            }
        }
    }

    private mutating func fail(_ consumed: Int, _ error: HTTPError) -> (consumed: Int, status: Status) {
        state = .failed(error)
        return (consumed, .invalid(error))
    }

    /// `chunk-size [ chunk-ext ]`; moves to data, or to the trailers after the last chunk.
    private mutating func sizeLine() -> HTTPError? {
        var k = 0
        while k < line.count, DecimalParsing.hex(line[k...k]) != nil { k += 1 }
        guard k > 0, let size = DecimalParsing.hex(line[0..<k]) else { return .bad("invalid_chunk_size") }
        if let error = Self.validateExtensions(line[k...]) { return error }
        if size == 0 {
            state = .trailers
            return nil
        }
        guard size <= bodyLimit - decodedBytes else { return HTTPError(413, "body_too_large") }
        decodedBytes += size
        state = .data(remaining: size)
        return nil
    }

    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )`, nothing else.
    static func validateExtensions(_ ext: ArraySlice<UInt8>) -> HTTPError? {
        var i = ext.startIndex
        func skipBWS() { while i < ext.endIndex, ext[i] == 0x20 || ext[i] == 0x09 { i += 1 } }
        while true {
            skipBWS()
            guard i < ext.endIndex else {
                // trailing whitespace with no extension after it is refused by policy
                return i > ext.startIndex && (ext[i - 1] == 0x20 || ext[i - 1] == 0x09) ? .bad("whitespace_after_chunk_size") : nil
            }
            guard ext[i] == UInt8(ascii: ";") else { return .bad("invalid_chunk_size") }
            i += 1
            skipBWS()
            let nameStart = i
            while i < ext.endIndex, ByteClass.isTchar(ext[i]) { i += 1 }
            guard i > nameStart else { return .bad("invalid_chunk_extension") }
            let afterName = i
            skipBWS()
            guard i < ext.endIndex, ext[i] == UInt8(ascii: "=") else {
                i = afterName
                continue
            }
            i += 1
            skipBWS()
            guard i < ext.endIndex else { return .bad("invalid_chunk_extension") }
            if ext[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < ext.endIndex {
                    let c = ext[i]
                    if c == UInt8(ascii: "\\") {
                        i += 2
                        continue
                    }
                    i += 1
                    if c == UInt8(ascii: "\"") { closed = true; break }
                    if c < 0x20 && c != 0x09 || c == 0x7F { return .bad("invalid_chunk_extension") }
                }
                guard closed, i <= ext.endIndex else { return .bad("invalid_chunk_extension") }
            } else {
                let valueStart = i
                while i < ext.endIndex, ByteClass.isTchar(ext[i]) { i += 1 }
                guard i > valueStart else { return .bad("invalid_chunk_extension") }
            }
        }
    }

    /// One trailer field line, or the empty line that ends the body.
    private mutating func trailerLine() -> HTTPError? {
        if line.isEmpty {
            state = .finished
            return nil
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[0..<colon].allSatisfy(ByteClass.isTchar) else {
            return .bad(line.first == 0x20 || line.first == 0x09 ? "obs_fold" : "invalid_trailer")
        }
        let value = line[(colon + 1)...]
        guard value.allSatisfy(ByteClass.isFieldValue) else { return .bad("invalid_trailer_value") }
        trailers.add(String(decoding: line[0..<colon], as: UTF8.self),
                     String(Substring(decoding: value, as: UTF8.self).trimmingWhitespace()))
        if trailers.count > limits.fieldCount { return HTTPError(431, "too_many_trailers") }
        return nil
    }
}
