import HTTP1
import Testing

/// Decodes `text` fed whole, one byte at a time, and split at every index; all must agree.
func decodeEverySplit(_ text: String, limits: HTTPLimits = HTTPLimits(), bodyLimit: Int? = nil)
    -> (body: String, status: ChunkedDecoder.Status, consumed: Int, trailers: HTTPHeaders) {
    let bytes = Array(text.utf8)
    func run(_ pieces: [ArraySlice<UInt8>]) -> ([UInt8], ChunkedDecoder.Status, Int, HTTPHeaders) {
        var decoder = ChunkedDecoder(limits: limits, bodyLimit: bodyLimit)
        var out: [UInt8] = []
        var consumed = 0
        var status = ChunkedDecoder.Status.needMore
        for piece in pieces {
            let r = Array(piece).withUnsafeBytes { decoder.decode($0, into: &out) }
            consumed += r.consumed
            status = r.status
            if status != .needMore { break }
        }
        return (out, status, consumed, decoder.trailers)
    }
    let whole = run([bytes[...]])
    let byteByByte = run(bytes.indices.map { bytes[$0...$0] })
    #expect(byteByByte.0 == whole.0 && byteByByte.1 == whole.1 && byteByByte.2 == whole.2, "byte at a time differs")
    for split in 0...bytes.count {
        let twoPieces = run([bytes[..<split], bytes[split...]])
        #expect(twoPieces.0 == whole.0 && twoPieces.1 == whole.1 && twoPieces.2 == whole.2, "split at \(split) differs")
    }
    return (String(decoding: whole.0, as: UTF8.self), whole.1, whole.2, whole.3)
}

@Suite struct ChunkedDecoderTests {
    @Test("RFC 9112 §7.1: valid chunked bodies", arguments: [
        ("5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
        ("A\r\n0123456789\r\n000\r\n\r\n", "0123456789"),
        ("0000a\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("3;name=value\r\nabc\r\n0;last\r\n\r\n", "abc"),
        ("3 ; a = \"q; \\\"x\\\"\"\r\nabc\r\n0\r\n\r\n", "abc"),
        ("0\r\n\r\n", ""),
    ])
    func valid(text: String, body: String) {
        let r = decodeEverySplit(text)
        #expect(r.body == body && r.status == .done && r.consumed == text.utf8.count)
    }

    @Test("RFC 9112 §7.1.2: trailers are parsed and kept apart, never reframing the message")
    func trailers() {
        let r = decodeEverySplit("3\r\nabc\r\n0\r\nX-Checksum: 42\r\nContent-Length: 999\r\n\r\nNEXT")
        #expect(r.status == .done && r.body == "abc")
        #expect(r.trailers["X-Checksum"] == "42" && r.trailers["content-length"] == "999")
        #expect(r.consumed == "3\r\nabc\r\n0\r\nX-Checksum: 42\r\nContent-Length: 999\r\n\r\n".utf8.count)
    }

    @Test("RFC 9112 §7.1: malformed chunk framing is 400", arguments: [
        ("0x5\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        ("+5\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        ("-5\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        ("5_0\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        (" 5\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        ("\r\nhello\r\n0\r\n\r\n", "invalid_chunk_size"),
        ("10000000000000000\r\n", "invalid_chunk_size"),
        ("5 \r\nhello\r\n0\r\n\r\n", "whitespace_after_chunk_size"),
        ("5;\r\nhello\r\n0\r\n\r\n", "invalid_chunk_extension"),
        ("5;=x\r\nhello\r\n0\r\n\r\n", "invalid_chunk_extension"),
        ("5;a=\"x\r\nhello\r\n0\r\n\r\n", "invalid_chunk_extension"),
        ("5\r\nhelloX\r\n0\r\n\r\n", "missing_chunk_crlf"),
        ("5\r\nhello\rX0\r\n\r\n", "bare_cr_after_chunk"),
        ("5\nhello\r\n0\r\n\r\n", "bare_lf_in_chunk_line"),
        ("5\r\r\nhello\r\n0\r\n\r\n", "bare_cr_in_chunk_line"),
        ("0\r\nNoColon\r\n\r\n", "invalid_trailer"),
        ("0\r\n folded: x\r\n\r\n", "obs_fold"),
        ("0\r\nX: a\u{01}\r\n\r\n", "invalid_trailer_value"),
    ])
    func malformed(text: String, reason: String) {
        #expect(decodeEverySplit(text).status == .invalid(HTTPError(400, reason)))
    }

    @Test("the decoded size counts against the body limit: 413")
    func bodyLimit() {
        #expect(decodeEverySplit("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", bodyLimit: 8).status == .invalid(HTTPError(413, "body_too_large")))
        #expect(decodeEverySplit("5\r\nhello\r\n3\r\n wo\r\n0\r\n\r\n", bodyLimit: 8).status == .done)
    }

    @Test("chunk extensions are bounded (4 KiB)")
    func extensionLimit() {
        let ext = ";" + String(repeating: "a", count: 5000)
        #expect(decodeEverySplit("1\(ext)\r\nx\r\n0\r\n\r\n").status == .invalid(HTTPError(400, "chunk_extension_too_long")))
    }

    @Test("trailers are bounded like a header section (431)")
    func trailerLimits() {
        var limits = HTTPLimits()
        limits.fieldCount = 3
        let many = (0..<5).map { "T\($0): v\r\n" }.joined()
        #expect(decodeEverySplit("0\r\n\(many)\r\n", limits: limits).status == .invalid(HTTPError(431, "too_many_trailers")))
    }

    @Test("many tiny chunks: framing overhead is bounded")
    func tinyChunks() {
        var decoder = ChunkedDecoder()
        var out: [UInt8] = []
        let chunk = Array("1;padpadpadpadpadpadpadpadpadpadpad\r\nx\r\n".utf8)
        var status = ChunkedDecoder.Status.needMore
        for _ in 0..<100_000 {
            status = chunk.withUnsafeBytes { decoder.decode($0, into: &out) }.status
            if status != .needMore { break }
        }
        #expect(status == .invalid(HTTPError(400, "chunk_overhead")))
        #expect(out.count < 10_000)
    }
}
