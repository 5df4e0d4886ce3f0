import ComplianceTesting
import Foundation
@testable import Postgres
import Testing

/// Connection attempts while the database is unreachable (issue 12, item E: 205,000 connects in a
/// 12 s outage under load).
@Suite struct ConnectBackoffTests {
    @Test("after a failure: refused until the delay has passed, then one attempt at a time; a success clears it")
    func decisions() {
        var b = ConnectBackoff()
        let t0 = ContinuousClock.now
        #expect(b.permit(now: t0) == .attempt)
        b.failed(now: t0)
        #expect(b.permit(now: t0 + .milliseconds(50)) == .refuse(until: t0 + .milliseconds(100)))
        #expect(b.permit(now: t0 + .milliseconds(100)) == .attempt)
        #expect(b.permit(now: t0 + .milliseconds(101)) == .busy)
        b.failed(now: t0 + .milliseconds(150))
        #expect(b.delay == .milliseconds(200))
        #expect(b.permit(now: t0 + .milliseconds(349)) == .refuse(until: t0 + .milliseconds(350)))
        #expect(b.permit(now: t0 + .milliseconds(350)) == .attempt)
        b.succeeded()
        #expect(b.permit(now: t0 + .milliseconds(351)) == .attempt && b.permit(now: t0 + .milliseconds(351)) == .attempt)
    }

    @Test("the delay doubles from 100 ms to at most 5 s", arguments: [(1, 100), (2, 200), (3, 400), (6, 3200), (7, 5000), (50, 5000)])
    func delays(failures: Int, milliseconds: Int) {
        var b = ConnectBackoff()
        let t = ContinuousClock.now
        for _ in 0..<failures {
            _ = b.permit(now: t + .seconds(3600))
            b.failed(now: t)
        }
        #expect(b.delay == .milliseconds(milliseconds))
    }

    @Test("500 requests in 2 s against a database that accepts and hangs up: a handful of connection attempts, each request fails fast")
    func fewAttempts() async throws {
        let listener = try CountingListener()
        defer { listener.stop() }
        let pool = ConnectionPool(configuration: .init(url: "postgresql://nobody@127.0.0.1:\(listener.port)/x?sslmode=disable", connectTimeoutSeconds: 2),
                                  size: 3, checkoutTimeout: .seconds(2))
        let clock = ContinuousClock()
        let start = clock.now
        var failures = 0
        var durations: [Duration] = []
        for _ in 0..<500 {
            let began = clock.now
            do { _ = try await pool.query("SELECT 1") } catch let error as PostgresError where error.category == .unavailable { failures += 1 }
            durations.append(clock.now - began)
            try await Task.sleep(for: .milliseconds(4))
        }
        let elapsed = clock.now - start
        #expect(failures == 500)
        // 100 ms, 200, 400, 800 … apart: about log2(elapsed / 100 ms) + 1 attempts, not 500
        #expect(listener.count <= 12, "\(listener.count) connection attempts in \(elapsed)")
        #expect(listener.count >= 2)
        // refused at once, not queued behind an attempt (the median: the suite shares two cores)
        let median = durations.sorted()[durations.count / 2]
        #expect(median < .milliseconds(250), "the median request took \(median)")
        await pool.close()
    }

    @Test("after the database comes back, the pool recovers within one backoff delay")
    func recovers() async throws {
        let cluster = try await TestCluster.start()
        let pool = ConnectionPool(configuration: .init(url: cluster.url(), connectTimeoutSeconds: 2), size: 2, checkoutTimeout: .seconds(3))
        _ = try await pool.query("SELECT 1")
        try await cluster.stopServer()
        for _ in 0..<40 {
            _ = try? await pool.query("SELECT 1")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(pool.connectGate.failures >= 2)
        try await cluster.startServer()
        let clock = ContinuousClock()
        let back = clock.now
        var recovered = false
        while clock.now - back < .seconds(8) {
            if (try? await pool.query("SELECT 1")) != nil {
                recovered = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(recovered, "no connection 8 s after the database returned")
        #expect(pool.connectGate.failures == 0)
        await pool.close()
        await cluster.shutdown()
    }
}
