import APIFuzzing

/// libFuzzer entry point for the API's input decoding (query string, cursor, JSON body); built
/// by `tools/fuzz.sh SECONDS api` with `-sanitize=fuzzer,address`. In a plain `swift build` this
/// is a harmless executable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    RequestInputInvariants.check(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}
