import HTTP1

/// The invariants the fuzzer asserts on every input (docs/http-conformance.md §6), shared by the
/// libFuzzer harness and the seed-replay test. Violations trap (`precondition`), which libFuzzer
/// reports as a crash with the input saved.
public enum ParserInvariants {
    /// Checks the request parser and the chunked decoder on `data`.
    public static func check(_ data: [UInt8]) {
        guard !data.isEmpty else { return }
        let split = Int(data[0]) % data.count
        let input = Array(data.dropFirst())
        checkParser(input, split: split)
        checkScanner(input, split: split)
        checkChunked(input, split: split)
    }

    /// `HeadScanner` fed in two pieces agrees with the one-shot parser: it needs more exactly
    /// when the parser does, refuses with the parser's error (or finds the head complete where
    /// only the whole head is wrong), and ends a complete head where the parser does.
    static func checkScanner(_ input: [UInt8], split: Int) {
        var scanner = HeadScanner()
        let limits = HTTPLimits()
        var scanned = Array(input.prefix(split)).withUnsafeBytes { scanner.scan($0, limits: limits) }
        if scanned == .needMore { scanned = input.withUnsafeBytes { scanner.scan($0, limits: limits) } }
        switch (scanned, RequestParser.parse(input, limits: limits)) {
        case (.needMore, .incomplete):
            break
        case (.invalid(let a), .invalid(let b)):
            precondition(a == b, "the scanner refused with \(a), the parser with \(b)")
        case (.complete(let end), .invalid):
            // Only the whole head shows what is wrong: the parser, run on it, refuses it.
            precondition(end <= input.count)
            guard case .invalid = RequestParser.parse(Array(input.prefix(end)), limits: limits) else {
                preconditionFailure("the scanner ended a head at \(end) that the parser refuses later")
            }
        case (.complete(let end), .complete(_, let consumed)):
            precondition(end == consumed, "the scanner ended the head at \(end), the parser at \(consumed)")
        case (let s, let p):
            preconditionFailure("the scanner gave \(s), the parser \(p)")
        }
    }

    static func checkParser(_ input: [UInt8], split: Int) {
        let whole = RequestParser.parse(input)
        let prefix = RequestParser.parse(Array(input.prefix(split)))
        switch (prefix, whole) {
        case (.incomplete, _):
            break
        case (.invalid(let a), .invalid(let b)):
            precondition(a == b, "split feed gave \(a), one-shot gave \(b)")
        case (.complete(let h1, let c1), .complete(let h2, let c2)):
            precondition(h1 == h2 && c1 == c2, "a complete prefix must equal the one-shot result")
        default:
            preconditionFailure("prefix result \(prefix) contradicts one-shot result \(whole)")
        }
        guard case .complete(let head, let consumed) = whole else { return }
        precondition(consumed <= input.count)
        for field in head.headers {
            precondition(!field.value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }, "CR, LF or NUL in a field value")
            precondition(!field.name.isEmpty)
        }
        // Re-serialising the head and parsing it again gives the same head.
        var text = "\(head.method) \(head.target) \(head.version)\r\n"
        for field in head.headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        let again = RequestParser.parse(Array(text.utf8))
        if case .complete(let reparsed, _) = again {
            precondition(reparsed.method == head.method && reparsed.target == head.target && reparsed.headers == head.headers
                         && reparsed.framing == head.framing, "re-parsed head differs")
        } else if head.version.minor <= 1 {
            preconditionFailure("re-serialised head did not parse: \(again)")
        }
    }

    static func checkChunked(_ input: [UInt8], split: Int) {
        func run(_ pieces: [ArraySlice<UInt8>]) -> ([UInt8], ChunkedDecoder.Status, Int) {
            var decoder = ChunkedDecoder(bodyLimit: 64 * 1024)
            var out: [UInt8] = []
            var consumed = 0
            var status = ChunkedDecoder.Status.needMore
            for piece in pieces {
                let r = Array(piece).withUnsafeBytes { decoder.decode($0, into: &out) }
                consumed += r.consumed
                status = r.status
                precondition(r.consumed <= piece.count)
                if status != .needMore { break }
            }
            precondition(Int64(out.count) <= decoder.decodedBytes && out.count <= 64 * 1024)
            return (out, status, consumed)
        }
        let whole = run([input[...]])
        let twoPieces = run([input.prefix(split), input.dropFirst(split)])
        precondition(whole.0 == twoPieces.0 && whole.1 == twoPieces.1 && whole.2 == twoPieces.2, "chunked split feed differs")
    }
}
