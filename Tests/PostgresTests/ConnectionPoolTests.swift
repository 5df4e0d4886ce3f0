import ComplianceTesting
import Foundation
@testable import Postgres
import Synchronization
import Testing

/// The pool and its connections against a live server: timeouts, cancellation, exhaustion,
/// transactions, and recovery after a restart.
@Suite struct ConnectionPoolTests {
    func pool(size: Int = 2, timeout: Duration = .seconds(30), checkout: Duration = .seconds(5)) async throws -> ConnectionPool {
        let db = try await TestEnvironment.shared.database("pool", migrated: false)
        return ConnectionPool(configuration: .init(url: db.url, statementTimeout: timeout), size: size, checkoutTimeout: checkout)
    }

    @Test("closing a pool twice returns (the second close found the workers gone and waited forever)", .timeLimit(.minutes(1)))
    func closeTwice() async throws {
        let pool = try await pool(size: 2)
        #expect(try await pool.query("SELECT 1 AS n").single().decode(Int.self, "n") == 1)
        await pool.close()
        await pool.close()
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
    }

    @Test("a statement timeout cancels pg_sleep(10) on the server within 2 s; the connection is reused")
    func statementTimeout() async throws {
        let pool = try await pool(size: 1)
        try await pool.withConnection { c in
            let pid = try await c.backendPID()
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: PostgresError.self) {
                try await c.query("SELECT pg_sleep(10)", timeout: .seconds(1))
            }
            let elapsed = clock.now - started
            #expect(error?.code == .timeout)
            #expect(error?.category == .timeout)
            #expect(elapsed < .seconds(2))
            #expect(try await c.backendPID() == pid)
            #expect(try await c.query("SELECT 41 + 1 AS n").single().decode(Int.self, "n") == 42)
            // nothing is left running on the server
            let active = try await c.query("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(10)%' AND state = 'active'
                """).single().decode(Int.self, "n")
            #expect(active == 0)
        }
        await pool.close()
    }

    /// Issue 12, item 6: preparing and sending had a fixed 30 s of their own. Preparing a
    /// statement on a table another session holds locked waits in the server's parse step; the
    /// query's 1 s deadline must bound that wait too.
    @Test("the query's deadline bounds preparing it: a prepare blocked on a lock times out in about 1 s, not 30")
    func deadlineCoversPrepare() async throws {
        let pool = try await pool(size: 2, timeout: .seconds(30))
        try await pool.execute("CREATE TABLE IF NOT EXISTS deadline_probe (id int)")
        try await pool.withConnection { holder in
            try await holder.execute("BEGIN")
            try await holder.execute("LOCK TABLE deadline_probe IN ACCESS EXCLUSIVE MODE")
            try await pool.withConnection { c in
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: PostgresError.self) {
                    try await c.query(Query("SELECT count(*) AS n FROM deadline_probe").prepared(), timeout: .seconds(1))
                }
                #expect(error?.code == .timeout, "\(String(describing: error))")
                #expect(clock.now - started < .seconds(5), "took \(clock.now - started)")
            }
            try await holder.execute("ROLLBACK")
        }
        #expect(try await pool.query(Query("SELECT count(*) AS n FROM deadline_probe").prepared()).single().decode(Int.self, "n") == 0)
        await pool.close()
    }

    @Test("a prepared query is prepared once per session and bound anew each time; errors leave the session usable")
    func preparedStatements() async throws {
        let pool = try await pool(size: 1)
        try await pool.withConnection { c in
            for n in 0..<10 {
                let q: Query = "SELECT \(n)::int + 1 AS n, \("x\(n)") AS s"
                let row = try await c.query(q.prepared()).single()
                #expect(try row.decode(Int.self, "n") == n + 1 && row.decode(String.self, "s") == "x\(n)")
            }
            let prepared = try await c.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int + 1%'")
                .single().decode(Int.self, "n")
            #expect(prepared == 1)
            // a statement that fails to prepare is not cached and does not break the session
            await #expect(throws: PostgresError.self) { try await c.query(Query("SELECT * FROM no_such_table").prepared()) }
            await #expect(throws: PostgresError.self) { try await c.query(Query("SELECT * FROM no_such_table").prepared()) }
            let q: Query = "SELECT \(5)::int + 1 AS n, \("y") AS s"
            #expect(try await c.query(q.prepared()).single().decode(Int.self, "n") == 6)
        }
        await pool.close()
    }

    @Test("cancelling the calling task cancels the query on the server")
    func taskCancellation() async throws {
        let pool = try await pool(size: 1)
        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { try await pool.query("SELECT pg_sleep(10)") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect(clock.now - started < .seconds(3))
        guard case .failure(let error as PostgresError) = result else {
            Issue.record("expected a cancellation error, got \(result)")
            return
        }
        #expect(error.code == .cancelled)
        #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        await pool.close()
    }

    @Test("an exhausted pool fails a checkout after its timeout, then serves again")
    func exhaustion() async throws {
        let pool = try await pool(size: 1, checkout: .milliseconds(300))
        #expect(!pool.isSweeping)   // nobody waits: the deadline timer does not tick
        let holding = Task { try await pool.withConnection { c in try await c.query("SELECT pg_sleep(1.5)") } }
        try await Task.sleep(for: .milliseconds(200))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolExhausted)
        _ = try await holding.value
        #expect(try await pool.query("SELECT 2 AS two").single().decode(Int.self, "two") == 2)
        // The timer stops within a tick or two of the last waiter leaving.
        #expect(await eventually(within: 2) { !pool.isSweeping })
        await pool.close()
    }

    @Test("session settings are applied to every new connection; an unknown one fails the checkout with the server's error")
    func sessionSettings() async throws {
        let db = try await TestEnvironment.shared.database("pool", migrated: false)
        let settings: [(name: String, value: String)] = [("plan_cache_mode", "force_generic_plan"), ("application_name", "it's set")]
        let pool = ConnectionPool(configuration: .init(url: db.url, sessionSettings: settings), size: 2)
        // Two connections at once, so both sessions are checked.
        async let first = pool.withConnection { c in
            try await c.query("SELECT current_setting('plan_cache_mode') AS m, current_setting('application_name') AS a, pg_sleep(0.2)").single()
        }
        async let second = pool.withConnection { c in
            try await c.query("SELECT current_setting('plan_cache_mode') AS m, current_setting('application_name') AS a, pg_sleep(0.2)").single()
        }
        for row in try await [first, second] {
            #expect(try row.decode(String.self, "m") == "force_generic_plan")
            #expect(try row.decode(String.self, "a") == "it's set")
        }
        await pool.close()

        let broken = ConnectionPool(configuration: .init(url: db.url, sessionSettings: [("no_such_setting", "1")]), size: 1)
        let error = await #expect(throws: PostgresError.self) { try await broken.query("SELECT 1") }
        #expect(error?.sqlState == "42704")
        await broken.close()
    }

    /// `pool.start` awaited: the transform decodes the one integer the query returns.
    static func started(_ pool: ConnectionPool, _ query: Query, _ id: Int, _ order: CompletionOrder) async -> Result<Int, PostgresError> {
        await withCheckedContinuation { continuation in
            pool.start(query, transform: { result throws(PostgresError) in try result.single().decode(Int.self, at: 0) },
                       completion: { outcome in
                           order.ids.withLock { $0.append(id) }
                           continuation.resume(returning: outcome)
                       })
        }
    }

    @Test("start: without a task, callers queue FIFO for one connection, get their transform's result, and time out like tasks")
    func startWithoutTask() async throws {
        // A generous checkout timeout for the queueing part: the suite runs many tests at once.
        let pool = try await pool(size: 1, checkout: .seconds(20))
        let order = CompletionOrder()
        // One holds the connection for 0.2 s; two queue behind it and are served in order.
        let first = Task { await Self.started(pool, "SELECT 1 FROM pg_sleep(0.2)", 1, order) }
        try await Task.sleep(for: .milliseconds(50))
        let second = Task { await Self.started(pool, "SELECT 2", 2, order) }
        try await Task.sleep(for: .milliseconds(20))
        let third = Task { await Self.started(pool, "SELECT \(3)", 3, order) }
        #expect(try await first.value.get() == 1)
        #expect(try await second.value.get() == 2)
        #expect(try await third.value.get() == 3)
        #expect(order.ids.withLock { $0 } == [1, 2, 3])

        // A transform that fails is the caller's failure; the connection serves on.
        let failed = await Self.started(pool, "SELECT 'not an integer'::text", 4, order)
        #expect(throws: PostgresError.self) { try failed.get() }
        #expect(try await Self.started(pool, "SELECT 5", 5, order).get() == 5)

        await pool.close()

        // Waiting longer than the checkout timeout: poolExhausted, as for a task. (The holder
        // takes the only slot at once; its query holds it far beyond the waiter's deadline.)
        let short = try await self.pool(size: 1, checkout: .milliseconds(300))
        let holder = Task { await Self.started(short, "SELECT 6 FROM pg_sleep(2)", 6, order) }
        try await Task.sleep(for: .milliseconds(50))
        let late = await Self.started(short, "SELECT 7", 7, order)
        if case .failure(let error) = late { #expect(error.code == PostgresError.Code.poolExhausted) } else { Issue.record("waited past the checkout timeout") }
        #expect(try await holder.value.get() == 6)

        // A closed pool refuses at once.
        await short.close()
        let closed = await Self.started(short, "SELECT 8", 8, order)
        if case .failure(let error) = closed { #expect(error.code == PostgresError.Code.poolClosed) } else { Issue.record("a closed pool ran a query") }
    }

    @Test("many tasks share a small pool; every query runs once")
    func contention() async throws {
        // The claim is "each exactly once", not latency: under a loaded parallel test run the last
        // of 200 waiters may wait longer than the default 5 s checkout timeout.
        let pool = try await pool(size: 3, checkout: .seconds(120))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<200 {
                group.addTask { try await pool.query("SELECT \(i)::int AS i").single().decode(Int.self, "i") }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<200).reduce(0, +))
        await pool.close()
    }

    @Test("withTransaction commits, and rolls back when the body throws")
    func transactions() async throws {
        struct Boom: Error {}
        let pool = try await pool(size: 1)
        let table = "tx_\(UInt32.random(in: 0...UInt32.max))"
        try await pool.withConnection { try await $0.executeScript("CREATE TABLE \(table) (n int)") }
        try await pool.withTransaction { c in
            try await c.executeScript("INSERT INTO \(table) VALUES (1)")
        }
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { c in
                try await c.executeScript("INSERT INTO \(table) VALUES (2)")
                throw Boom()
            }
        }
        // a connection returned mid-transaction is rolled back by the pool
        try await pool.withConnection { c in
            try await c.execute("BEGIN")
            try await c.executeScript("INSERT INTO \(table) VALUES (3)")
        }
        let rows = try await pool.withConnection { c in
            try await c.query(Query(unsafeSQL: "SELECT n FROM \(table) ORDER BY n"))
        }
        #expect(try rows.map { try $0.decode(Int.self, "n") } == [1])
        await pool.close()
    }

    @Test("a closed pool refuses checkouts")
    func closed() async throws {
        let pool = try await pool(size: 1)
        _ = try await pool.query("SELECT 1")
        await pool.close()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }

    @Test("an unreachable server fails fast with connection_failed")
    func unreachable() async throws {
        let pool = ConnectionPool(configuration: .init(url: "postgresql://nobody:pw@127.0.0.1:1/none", connectTimeoutSeconds: 2), size: 1)
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .connectionFailed)
        #expect(error?.category == .unavailable)
        #expect(error?.message.contains("pw") == false)
        await pool.close()
    }
}

/// Recovery after a database restart needs a cluster of its own (the shared one must stay up).
@Suite(.serialized) struct ReconnectTests {
    @Test("after PostgreSQL restarts, the next checkout reconnects; while it is down, queries fail fast")
    func restart() async throws {
        let cluster = try await TestCluster.start()
        let pool = ConnectionPool(configuration: .init(url: cluster.url(), connectTimeoutSeconds: 2), size: 2)
        let first = try await pool.withConnection { try await $0.backendPID() }
        #expect(first > 0)

        try await cluster.stopServer()
        let down = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(down?.category == .unavailable)

        try await cluster.startServer()
        let rows = try await pool.query("SELECT 7 AS seven")
        #expect(try rows.single().decode(Int.self, "seven") == 7)
        let second = try await pool.withConnection { try await $0.backendPID() }
        #expect(second != first)

        try await cluster.restart()
        // the very first query after the restart succeeds: the idle health check drops the dead link
        #expect(try await pool.query("SELECT 8 AS eight").single().decode(Int.self, "eight") == 8)
        await pool.close()
        await cluster.shutdown()
    }
}

/// The order in which `ConnectionPool.start` completions ran.
final class CompletionOrder: Sendable {
    let ids = Mutex<[Int]>([])
}
