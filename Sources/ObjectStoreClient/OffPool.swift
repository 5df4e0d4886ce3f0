import Dispatch

/// Blocking work — a socket exchange with the object store, a package read from disk — run on a
/// Dispatch thread and awaited, so it never holds one of the cooperative pool's threads (two on
/// a 2-core machine) for its length. One home for the store's callers, the exporter, the DR
/// exercise and verify-package.
public enum OffPool {
    public static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { done in
            DispatchQueue.global(qos: .userInitiated).async { done.resume(returning: Result { () throws(E) in try body() }) }
        }
        return try result.get()
    }
}
