import Glibc

/// What follows a request head: nothing, bytes in memory (XML documents, small objects), or a
/// range of an open file, read in 64 KiB pieces as it is sent (a multipart part: never a whole
/// file in memory).
enum RequestBody {
    case none
    case bytes([UInt8])
    case file(fd: Int32, offset: Int64, length: Int64)

    var count: Int64 {
        switch self {
        case .none: 0
        case .bytes(let b): Int64(b.count)
        case .file(_, _, let length): length
        }
    }
}
