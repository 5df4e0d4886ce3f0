/// A checked-out connection, valid inside `ConnectionPool.withConnection`.
public struct PooledConnection: Sendable {
    let worker: ConnectionWorker
    let defaultTimeout: Duration

    /// Runs a statement and returns its rows. `timeout` (default: the pool's statement timeout)
    /// cancels the query on the server when exceeded; the connection stays usable.
    public func query(_ query: Query, timeout: Duration? = nil) async throws(PostgresError) -> QueryResult {
        let limit = timeout ?? defaultTimeout
        return try await worker.run { connection throws(PostgresError) in try connection.execute(query, timeout: limit) }
    }

    /// Runs a statement and returns `transform` of its rows, computed on the connection's own
    /// thread right after the result arrives: for responses written straight from the binary
    /// result (no hop to another thread between the rows and the bytes made of them).
    public func query<T: Sendable>(_ query: Query, timeout: Duration? = nil,
                                   transform: @escaping @Sendable (QueryResult) throws(PostgresError) -> T) async throws(PostgresError) -> T {
        let limit = timeout ?? defaultTimeout
        return try await worker.run { connection throws(PostgresError) in try transform(connection.execute(query, timeout: limit)) }
    }

    /// Runs a statement and returns the number of affected rows.
    @discardableResult
    public func execute(_ query: Query, timeout: Duration? = nil) async throws(PostgresError) -> Int {
        try await self.query(query, timeout: timeout).affectedRows
    }

    /// Runs trusted multi-statement SQL text (migration files) with the simple query protocol.
    public func executeScript(_ sql: String, timeout: Duration? = nil) async throws(PostgresError) {
        let limit = timeout ?? defaultTimeout
        try await worker.run { connection throws(PostgresError) in try connection.executeScript(sql, timeout: limit) }
    }

    /// Streams `COPY … TO STDOUT` to `consume` in chunks of about `chunkSize` bytes.
    ///
    /// One chunk is in flight at a time: the next is read only after `consume` returns, so a slow
    /// consumer slows the server instead of filling memory. If `consume` throws or the task is
    /// cancelled, the COPY is cancelled on the server and the connection drained for reuse.
    /// Returns the number of bytes streamed.
    @discardableResult
    public func copyOut(_ query: Query, chunkSize: Int = 64 * 1024, idleTimeout: Duration? = nil,
                        _ consume: ([UInt8]) async throws -> Void) async throws -> Int {
        let idle = idleTimeout ?? defaultTimeout
        let startTimeout = defaultTimeout
        try await worker.run { connection throws(PostgresError) in try connection.startCopyOut(query, timeout: startTimeout) }
        var total = 0
        while true {
            let chunk = try await worker.run { connection throws(PostgresError) in
                try connection.readCopyData(maxBytes: chunkSize, idleTimeout: idle)
            }
            guard let chunk else { return total }
            total += chunk.count
            do {
                try await consume(chunk)
            } catch {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    worker.runDetached { connection in
                        connection?.abortCopyOut()
                        done.resume()
                    }
                }
                throw error
            }
        }
    }

    /// The server process id of this connection (`pg_backend_pid()`).
    public func backendPID() async throws(PostgresError) -> Int32 {
        try await worker.run { connection in connection.backendPID }
    }
}
