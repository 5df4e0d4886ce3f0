import Foundation

/// Runs blocking work (processes, raw sockets) on a thread of its own. Calling it directly from
/// an async test would park one of the cooperative pool's threads — two on a 2-core machine —
/// and starve every task, the server's handlers included.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
