import ComplianceTesting
import Foundation
import Glibc
import Postgres
import Testing

/// The throwaway clusters of the test harness (issue 12, item 2: one fresh-clone run in three
/// lost its cluster to the free-port race, and the log with the reason was deleted).
@Suite struct TestClusterTests {
    /// Binds `count` sockets to ephemeral ports on 127.0.0.1 and holds them for `seconds`, as
    /// the suite's many test servers do while clusters start.
    static func holdEphemeralPorts(_ count: Int, seconds: Double) async throws {
        try await Blocking.run {
            var fds: [Int32] = []
            defer { fds.forEach { close($0) } }
            for _ in 0..<count {
                guard let (fd, _) = try? LoopbackSocket.bound() else { continue }
                _ = listen(fd, 4)
                fds.append(fd)
            }
            usleep(useconds_t(seconds * 1_000_000))
        }
    }

    @Test("many clusters start at once while many sockets take ephemeral ports; each answers on its own socket")
    func concurrentStarts() async throws {
        async let ports: Void = Self.holdEphemeralPorts(600, seconds: 6)
        let clusters = try await withThrowingTaskGroup(of: TestCluster.self) { group in
            for _ in 0..<4 { group.addTask { try await TestCluster.start() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await ports
        #expect(clusters.count == 4 && Set(clusters.map(\.directory)).count == 4)
        for cluster in clusters {
            let pool = ConnectionPool(configuration: .init(url: cluster.url(), connectTimeoutSeconds: 2), size: 1)
            let dir = try await pool.query("SELECT current_setting('unix_socket_directories') AS d, current_setting('listen_addresses') AS l").single()
            #expect(try dir.decode(String.self, "d") == cluster.directory && dir.decode(String.self, "l") == "")
            await pool.close()
            await cluster.shutdown()
        }
    }

    @Test("a cluster that cannot start says why, with the end of postgres.log")
    func startFailureKeepsTheLog() async throws {
        do {
            let cluster = try await TestCluster.start(settings: ["shared_buffers": "'1kB'"])
            await cluster.shutdown()
            Issue.record("a cluster with 1 kB of shared buffers started")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("pg_ctl start") && text.contains("last lines of postgres.log") && text.contains("shared_buffers"), "\(text)")
        }
    }
}
