import Chronology
import Compliance
import ComplianceStore
import Crypto
import ObjectStoreClient
import Postgres
import WormMonitor

/// `dr check` (the seed's dr_restore_test.sh contract): a restored database judged in one pass —
/// its rows against the fingerprint of the backup it came from (recorded with the backup's
/// `started` event, or given), every audit chain verified with its checkpoints (one beyond a head
/// is expected after a restore to an earlier point and explained by it), the ledger reconciled
/// with the invoices, and the schema at this build's newest migration. Nothing is written to the
/// database checked.
public struct RestoreCheck: Sendable {
    public let pool: ConnectionPool
    public let store: S3Client?
    public let keys: [Ed25519PublicKey]
    public let latestMigration: Int

    public init(pool: ConnectionPool, store: S3Client?, keys: [Ed25519PublicKey], latestMigration: Int) {
        self.pool = pool
        self.store = store
        self.keys = keys
        self.latestMigration = latestMigration
    }

    /// `expected`: a fingerprint to judge against (nil: the newest recorded one, if any).
    /// `restore`: the restore being judged (it explains checkpoints beyond the restored heads).
    public func run(database: String, expected given: (DatabaseFingerprint, String)?, restore: RestoreEvidence?,
                    now: Timestamp) async throws -> DRReport {
        let (found, recorded, hashes): (DatabaseFingerprint, (DatabaseFingerprint, String)?, [String: [Int64: [UInt8]]]) =
            try await pool.withTransaction(.repeatableRead) { connection in
                _ = try await connection.execute("SET TRANSACTION READ ONLY")
                let store = FingerprintStore()
                let found = try await store.take(on: connection)
                var recorded: (DatabaseFingerprint, String)?
                if given == nil, let r = try await store.recorded(on: connection) {
                    recorded = (r.fingerprint, "the fingerprint recorded when backup \(r.label ?? r.runID ?? "?") started (\(r.fingerprint.takenAt.rfc3339))")
                }
                var hashes: [String: [Int64: [UInt8]]] = [:]
                for (org, head) in (given ?? recorded)?.0.auditHeads ?? [:] where head.seq > 0 {
                    hashes[org, default: [:]][head.seq] = try await store.hash(organization: org, seq: head.seq, on: connection)
                }
                return (found, recorded, hashes)
            }
        let expected = given ?? recorded
        var findings: [DRFinding] = []
        if let expected {
            findings += FingerprintComparison.findings(expected: expected.0, found: found) { hashes[$0]?[$1] }
        }
        let verification = AuditChainVerification(pool: pool, store: store, keys: keys, restores: restore.map { [$0] } ?? [])
        let chains = try await verification.run(organizations: nil, backupAudit: true, record: false, report: { _, _ in })
        for c in chains where !c.ok {
            findings.append(DRFinding(.auditChain, "\(c.name): \(c.problemCount - c.warningCount) problems, first: \(c.firstProblem?.description ?? "?")"))
        }
        let (summary, reconciliation) = try await pool.withConnection { try await LedgerReconciliation().run(on: $0) }
        findings += reconciliation
        if found.migration != latestMigration {
            findings.append(DRFinding(.schema, found.migration < latestMigration
                ? "the schema is at migration \(found.migration), this build's newest is \(latestMigration): run `immoflow-compliance migrate` after the checks"
                : "the schema is at migration \(found.migration), newer than this build's \(latestMigration)"))
        }
        return DRReport(database: database, checkedAt: now, findings: findings, found: found, expected: expected?.0, expectedSource: expected?.1,
                        chains: chains, reconciliation: summary, latestMigration: latestMigration)
    }
}
