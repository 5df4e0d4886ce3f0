import Glibc
import HTTP1
import Synchronization

/// The `Date` field value, formatted once per second (RFC 9110 §6.6.1).
final class DateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    var current: String {
        let now = time(nil)
        return cached.withLock { cache in
            if cache.second != now {
                cache = (now, HTTPDate.format(secondsSinceEpoch: Int64(now)))
            }
            return cache.text
        }
    }
}
