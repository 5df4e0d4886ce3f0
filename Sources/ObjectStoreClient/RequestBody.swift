/// What follows a request head: nothing, bytes in memory (XML documents), or a range of an
/// open file, read in pieces as it is sent (never a whole file in memory).
enum RequestBody {
    case none
    case bytes([UInt8])
    case file(FileRange)

    var count: Int64 {
        switch self {
        case .none: 0
        case .bytes(let b): Int64(b.count)
        case .file(let range): range.length
        }
    }
}
