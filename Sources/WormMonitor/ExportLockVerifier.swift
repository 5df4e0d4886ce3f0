import Chronology
import Compliance
import Dispatch
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres

/// Reads each export package's lock back from the WORM store by its version (issue 14, item 6):
/// a version deleted, unlocked, switched to GOVERNANCE or shortened below the legal date is
/// recorded as a failed verification naming why (`export_packages.last_verified_at`,
/// `last_verification_ok`, `last_verification_problem`), which turns the worm-status control
/// into a violation naming the object. Each package is checked at most every `interval`;
/// a store that cannot be reached leaves the rows as they were (an error, not a verdict).
public final class ExportLockVerifier: Sendable {
    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var verified = 0
        public var failed = 0
        /// 1 when the store could not be asked (the round stops there), else 0.
        public var errors = 0
    }

    let client: S3Client
    let pool: ConnectionPool
    /// Seconds between two checks of one package.
    public let interval: Int64
    /// S3 calls block: they run here, never on the cooperative pool.
    private let queue = DispatchQueue(label: "immoflow.worm-verifier")

    public init(client: S3Client, pool: ConnectionPool, interval: Int64) {
        self.client = client
        self.pool = pool
        self.interval = max(1, interval)
    }

    /// Checks every package with a stored version that is due at `now`.
    public func verifyDue(now: Timestamp) async throws -> Round {
        let due = try await pool.query("""
            SELECT e.id::text AS id, e.storage_key, e.version_id, o.country, e.period_end
            FROM export_packages e JOIN organizations o ON o.id = e.organization_id
            WHERE e.storage_key IS NOT NULL AND e.version_id IS NOT NULL AND e.state = 'succeeded'
              AND (e.last_verified_at IS NULL OR e.last_verified_at <= \(now.adding(seconds: -interval)))
            ORDER BY e.last_verified_at NULLS FIRST, e.id
            LIMIT 1000
            """)
        var round = Round()
        for row in due {
            let id = try row.decode(String.self, "id")
            let key = try row.decode(String.self, "storage_key")
            let version = try row.decode(String.self, "version_id")
            let legal = RetentionRule.legalRetainUntil(country: try row.decode(String?.self, "country") ?? "DE",
                                                       periodEnd: try row.decode(CalendarDate.self, "period_end"))
            let outcome = await check(key: key, version: version, legal: legal)
            guard let problems = outcome else {
                // The store did not answer (after its retries): the rest of the round would wait
                // the same way; they stay due for the next one.
                round.errors += 1
                break
            }
            let problem = problems.isEmpty ? nil : problems.map(\.description).joined(separator: "; ")
            _ = try await pool.execute("""
                UPDATE export_packages SET last_verified_at = \(now), last_verification_ok = \(problems.isEmpty),
                       last_verification_problem = \(problem)
                WHERE id = \(id)::uuid
                """)
            if problems.isEmpty { round.verified += 1 } else { round.failed += 1 }
        }
        return round
    }

    /// The version's problems, or nil when it could not be checked.
    func check(key: String, version: String, legal: Timestamp) async -> [LockProblem]? {
        let client = self.client
        return await withCheckedContinuation { (continuation: CheckedContinuation<[LockProblem]?, Never>) in
            queue.async(execute: DispatchWorkItem {
                continuation.resume(returning: Self.problems(client, key: key, version: version, legal: legal))
            })
        }
    }

    /// Why the configured bucket is no WORM store (or cannot be checked), nil when it is one.
    func bucketProblem() async -> String? {
        let client = self.client
        return await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            queue.async(execute: DispatchWorkItem {
                do throws(ObjectStoreError) {
                    try client.requireWORMBucket()
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error.description)
                }
            })
        }
    }

    /// HeadObject and the lock's problems (blocking); nil when the store could not be asked.
    static func problems(_ client: S3Client, key: String, version: String, legal: Timestamp) -> [LockProblem]? {
        do {
            let info = try client.headObject(storedKey: key, versionID: version)
            return LockProblem.lockProblems(retention: info.retention, requiredUntil: legal)
        } catch {
            if case .s3(let s3) = error, s3.isMissingObject { return [.missing] }
            return nil
        }
    }

    /// Rounds every `period` until cancelled (`serve`); failures to reach the database or the
    /// store are reported once, not every round.
    public func run(every period: Duration, report: @Sendable (String) -> Void) async {
        // A bucket without Object Lock is said at start (its packages' versions then fail as
        // unlocked, one by one).
        if let problem = await bucketProblem() { report("warning: \(problem)") }
        var failing = false
        while !Task.isCancelled {
            do {
                let round = try await verifyDue(now: Timestamp(Date()))
                if round.failed > 0 { report("worm verification: \(round.failed) export package(s) failed their lock check") }
                if failing && round.errors == 0 { report("worm verification works again") }
                failing = round.errors > 0
            } catch {
                if !failing { report("worm verification failed: \(error)") }
                failing = true
            }
            try? await Task.sleep(for: period)
        }
    }
}
