import HTTP1Fuzzing

/// libFuzzer entry point for the HTTP/1.1 parser and chunked decoder; built by tools/fuzz.sh
/// with `-sanitize=fuzzer,address`. In a plain `swift build` this is a harmless executable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    ParserInvariants.check(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}
