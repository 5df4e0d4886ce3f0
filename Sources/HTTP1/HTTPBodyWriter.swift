/// Where a streaming response body goes.
public protocol HTTPBodyWriter: Sendable {
    /// Sends `bytes` as the next part of the body; waits while too much is pending; throws
    /// once the client has gone (the server's error says why).
    func write(_ bytes: [UInt8]) async throws
}
