import Chronology
import Compliance
import Foundation
import Postgres

/// What `serve` runs on a schedule (issue 15, item 3): the chains verified every
/// `verifyInterval` seconds and, with a signing key and a WORM store, checkpoints of the heads
/// with new entries every `checkpointInterval` (a checkpoint run verifies first, so it counts as
/// a verification). Due-ness comes from the records (`audit_chain_verifications`,
/// `audit_checkpoints`), so a restart does not redo a fresh run. Failures are reported, never
/// fatal: the next tick tries again.
public final class AuditChainSchedule: Sendable {
    let pool: ConnectionPool
    let verification: AuditChainVerification
    let writer: AuditCheckpointWriter?
    let verifyInterval: Int64
    let checkpointInterval: Int64

    public init(pool: ConnectionPool, verification: AuditChainVerification, writer: AuditCheckpointWriter?, verifyInterval: Int64,
                checkpointInterval: Int64) {
        self.pool = pool
        self.verification = verification
        self.writer = writer
        self.verifyInterval = verifyInterval
        self.checkpointInterval = checkpointInterval
    }

    /// Seconds since the newest verification and the newest checkpoint (nil: never).
    func ages() async throws -> (verification: Int64?, checkpoint: Int64?) {
        let row = try await pool.query("""
            SELECT floor(extract(epoch FROM now() - (SELECT max(verified_at) FROM audit_chain_verifications)))::bigint AS v,
                   floor(extract(epoch FROM now() - (SELECT max(created_at) FROM audit_checkpoints)))::bigint AS c
            """).single()
        return (try row.decode(Int64?.self, "v"), try row.decode(Int64?.self, "c"))
    }

    /// One tick: whatever is due. Returns what it did, for the log (nil: nothing was due).
    public func tick() async throws -> String? {
        let (verified, checkpointed) = try await ages()
        if let writer, checkpointInterval > 0, checkpointed.map({ $0 >= checkpointInterval }) ?? true {
            let outcomes = try await writer.run(organizations: nil, force: false, now: Timestamp(Date()))
            let written = outcomes.filter { $0.state == .written }.count
            let refused = outcomes.filter { $0.state == .refused }
            var text = "audit checkpoints: \(written) written, \(outcomes.count - written - refused.count) without new entries"
            if !refused.isEmpty { text += "; NOT signed (chain has problems): " + refused.map(\.organizationID).joined(separator: ", ") }
            return text
        }
        if verifyInterval > 0, verified.map({ $0 >= verifyInterval }) ?? true {
            let results = try await verification.run(organizations: nil, backupAudit: true, report: { _, _ in })
            let failing = results.filter { !$0.ok }
            return failing.isEmpty ? "audit verification: \(results.count) chains intact"
                : "audit verification: problems in " + failing.map(\.summary).joined(separator: " | ")
        }
        return nil
    }

    /// Ticks every `period` until cancelled.
    public func run(every period: Duration, report: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                if let done = try await tick() { report(done) }
            } catch {
                report("audit chain schedule failed (retried next tick): \(error)")
            }
            try? await Task.sleep(for: period)
        }
    }
}
