import Glibc

/// A NULL-terminated array of C strings for APIs that take `char *const argv[]` (posix_spawn's
/// argv and envp, libpq's connection keywords and values), alive for the length of one call.
public enum CStringArray {
    /// Calls `body` with copies of `strings` followed by a NULL; the copies are freed afterwards.
    public static func with<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws -> R) rethrows -> R {
        let pointers = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return try body(pointers + [nil])
    }
}
