import ArgumentParser
import Chronology
import DemoData
import Foundation
import Postgres

/// `immoflow-compliance demo-data`: fills an empty, migrated database with deterministic demo data.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Load realistic, seed-deterministic demo data (DE/AT organizations, invoices, ledger, audit logs, backup history).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Number of organizations (alternating DE and AT).")
    var organizations: Int = 4
    @Option(help: "Months of invoices and ledger entries, the current month included.")
    var months: Int = 12
    @Option(name: .customLong("audit-logs"), help: "Audit-log rows in total, written through the chain trigger.")
    var auditLogs: Int = 20_000
    @Option(help: "Days of backup history before now.")
    var days: Int = 35
    @Option(help: "Seed: the same seed and --now give the same data.")
    var seed: UInt64 = 42
    @Option(help: "End of the generated history, RFC 3339 (default: now, to the second).")
    var now: String?

    func validate() throws {
        guard (1...1000).contains(organizations) else { throw ValidationError("--organizations must be 1…1000") }
        guard (1...120).contains(months) else { throw ValidationError("--months must be 1…120") }
        guard (0...100_000_000).contains(auditLogs) else { throw ValidationError("--audit-logs must be 0…100000000") }
        guard (0...3660).contains(days) else { throw ValidationError("--days must be 0…3660") }
        if let now, Timestamp(rfc3339: now) == nil {
            throw ValidationError("--now must be an RFC 3339 time with offset, e.g. 2026-11-26T12:00:00Z")
        }
    }

    func run() async throws {
        let anchor: Timestamp
        if let now, let parsed = Timestamp(rfc3339: now) {
            anchor = parsed
        } else {
            // Up to now itself: a history that ended at the last full hour showed the hourly diff
            // stale or fresh depending on the minute the demo started.
            anchor = Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
        }
        let generator = DemoDataGenerator(.init(organizations: organizations, months: months, auditLogs: auditLogs,
                                                days: days, seed: seed, now: anchor))
        let (pool, url) = try database.pool(size: max(2, min(organizations, 4)))
        do {
            let report = try await DemoDataLoader(generator: generator).load(into: pool) { line in
                FileHandle.standardError.write(Data("demo-data: \(line)\n".utf8))
            }
            await pool.close()
            let total = String(format: "%.2f", report.totalSeconds)
            FileHandle.standardError.write(Data("demo-data: done in \(total) s (seed \(seed), now \(anchor.rfc3339Compact))\n".utf8))
        } catch let refusal as DemoDataLoader.Refusal {
            await pool.close()
            throw CommandFailure("demo-data: \(refusal.description)")
        } catch {
            await pool.close()
            throw CommandFailure("demo-data", error, databaseURL: url)
        }
    }
}
