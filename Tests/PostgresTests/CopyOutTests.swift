import ComplianceTesting
import Foundation
import Postgres
import Testing

/// `COPY … TO STDOUT` streams in bounded memory, and can be cancelled mid-stream.
@Suite(.serialized) struct CopyOutTests {
    func pool() async throws -> ConnectionPool {
        try await TestEnvironment.shared.database("copy", migrated: false).pool(size: 1)
    }

    /// Streams 1,000,000 rows once; returns the rows, bytes and the growth of resident memory.
    func stream(_ pool: ConnectionPool) async throws -> (lines: Int, bytes: Int, growth: Int) {
        let before = ResidentMemory.current()
        var peak = before
        var lines = 0
        var bytes = 0
        var chunks = 0
        try await pool.withConnection { c in
            bytes = try await c.copyOut("""
                COPY (SELECT g, md5(g::text), 'Größe – ' || g FROM generate_series(1, 1000000) g) TO STDOUT
                """) { chunk in
                lines += chunk.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
                chunks += 1
                if chunks % 16 == 0 { peak = max(peak, ResidentMemory.current()) }
            }
        }
        peak = max(peak, ResidentMemory.current())
        print("copy-out: \(lines) rows, \(bytes) bytes in \(chunks) chunks; resident memory grew by \((peak - before) / 1024) KiB")
        return (lines, bytes, peak - before)
    }

    /// Resident memory is the whole test process's, and other suites run beside this one: a
    /// stream that buffered its 60 MB would grow past the bound on every attempt, another suite's
    /// allocation only now and then. So up to three attempts, one of which must stay under it.
    @Test("1,000,000 rows stream with resident memory growing by less than 32 MiB")
    func millionRows() async throws {
        let pool = try await pool()
        var growths: [Int] = []
        for _ in 0..<3 {
            let run = try await stream(pool)
            #expect(run.lines == 1_000_000)
            #expect(run.bytes > 50_000_000)
            growths.append(run.growth)
            if run.growth < 32 * 1024 * 1024 { break }
        }
        #expect(growths.contains { $0 < 32 * 1024 * 1024 }, "growths: \(growths.map { "\($0 / 1024) KiB" })")
        await pool.close()
    }

    @Test("a consumer that stops cancels the COPY; the connection is drained and reused")
    func cancelMidStream() async throws {
        struct Enough: Error {}
        let pool = try await pool()
        try await pool.withConnection { c in
            let pid = try await c.backendPID()
            var seen = 0
            await #expect(throws: Enough.self) {
                try await c.copyOut("COPY (SELECT g FROM generate_series(1, 3000000) g) TO STDOUT") { _ in
                    seen += 1
                    if seen == 3 { throw Enough() }
                }
            }
            #expect(seen == 3)
            #expect(try await c.backendPID() == pid)
            #expect(try await c.query("SELECT 5 AS five").single().decode(Int.self, "five") == 5)
            let active = try await c.query("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT g FROM%' AND state = 'active'
                """).single().decode(Int.self, "n")
            #expect(active == 0)
        }
        await pool.close()
    }

    @Test("an error in the middle of a COPY surfaces with its SQLSTATE")
    func errorMidStream() async throws {
        let pool = try await pool()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { c in
                try await c.copyOut("COPY (SELECT 1 / (g - 300000) FROM generate_series(1, 1000000) g) TO STDOUT") { _ in }
            }
        }
        #expect(error?.sqlState == "22012")
        #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        await pool.close()
    }
}

/// The process's resident set size from /proc/self/status (Linux).
enum ResidentMemory {
    static func current() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.filter { $0.isNumber }
            return (Int(digits) ?? 0) * 1024
        }
        return 0
    }
}
