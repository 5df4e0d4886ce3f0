import Chronology
import Compliance
import ComplianceStore
import Crypto
import Dispatch
import Foundation
import JCS
import ObjectStore
import ObjectStoreClient
import Postgres

/// `audit verify` and the server's scheduled verification (docs/audit-chain.md §6): every
/// organization's chain streamed in seq order, its checkpoints read back from the WORM store by
/// version and judged against it, the head table compared, and — when asked — the global
/// `backup_audit` chain; every run recorded in `audit_chain_verifications`. Problems go to
/// `report` as they are found (a caller writes them out), so memory stays flat at any size.
public final class AuditChainVerification: Sendable {
    let pool: ConnectionPool
    let store: S3Client?
    let keys: [Ed25519PublicKey]
    /// Restores not recorded in this database that explain checkpoints beyond its heads: the
    /// restore `dr check` judges (a restored database has no event of its own restore).
    let restores: [RestoreEvidence]

    public init(pool: ConnectionPool, store: S3Client?, keys: [Ed25519PublicKey], restores: [RestoreEvidence] = []) {
        self.pool = pool
        self.store = store
        self.keys = keys
        self.restores = restores
    }

    /// Verifies `organizations` (nil: every organization with rows, a head or a checkpoint) and,
    /// with `backupAudit`, the backup_audit chain; records each chain's result.
    public func run(organizations: [String]?, auditLogs: Bool = true, backupAudit: Bool, record: Bool = true,
                    report: @escaping (String?, [ChainProblem]) -> Void) async throws -> [ChainVerificationResult] {
        var results: [ChainVerificationResult] = []
        if auditLogs {
            results += try await verifyAuditLogs(organizations: organizations, report: report)
        }
        if backupAudit {
            results.append(try await verifyBackupAudit(report: report))
        }
        if record { try await self.record(results) }
        return results
    }

    // MARK: audit_logs

    private func verifyAuditLogs(organizations: [String]?, report: @escaping (String?, [ChainProblem]) -> Void) async throws -> [ChainVerificationResult] {
        try await snapshot { connection in try await self.verifyAuditLogs(organizations: organizations, on: connection, report: report) }
    }

    private func verifyAuditLogs(organizations: [String]?, on connection: PooledConnection,
                                 report: @escaping (String?, [ChainProblem]) -> Void) async throws -> [ChainVerificationResult] {
        let store = AuditCheckpointStore()
        let known: [String]
        if let organizations { known = organizations } else { known = try await store.organizations(on: connection) }
        let recorded = try await store.checkpoints(organizations: organizations, on: connection)
        let heads = try await store.headTable(on: connection)
        let restores = try await store.restores(on: connection) + self.restores
        // The locked objects, read before the rows: each is judged when its organization ends.
        var evidence: [String: [CheckpointEvidence]] = [:]
        for (org, rows) in recorded {
            for row in rows { evidence[org, default: []].append(try await read(row)) }
        }
        // Locked checkpoint versions no row names: rows a superuser deleted (or an upload whose
        // row was never written) must not take their checkpoints out of the judgement.
        for (org, item) in try await unrecorded(recorded) where organizations?.contains(org) ?? true {
            evidence[org, default: []].append(item)
        }
        var capture: [String: Set<Int64>] = [:]
        for (org, items) in evidence {
            capture[org] = Set(items.compactMap { item in
                if case .object(let bytes, _, _) = item.stored, case .success(let parsed) = AuditCheckpoint.parse(object: bytes) { return parsed.checkpoint.seq }
                return item.recorded?.checkpoint.seq
            })
        }
        var results: [String: ChainVerificationResult] = [:]
        var keptByOrg: [String: [ChainProblem]] = [:]
        func keep(_ org: String, _ problems: [ChainProblem]) {
            guard !problems.isEmpty else { return }
            let room = ChainVerificationResult.keptProblems - (keptByOrg[org]?.count ?? 0)
            if room > 0 { keptByOrg[org, default: []].append(contentsOf: problems.prefix(room)) }
            report(org, problems)
        }
        let finish: (String, AuditChainVerifier) async throws -> Void = { org, finished in
            var verifier = finished
            let items = evidence[org] ?? []
            for problem in CheckpointCheck.problems(organizationID: org, evidence: items, head: verifier.head, hashes: verifier.capturedHashes,
                                                    keys: self.keys, restores: restores) {
                verifier.record(problem)
            }
            if let head = heads[org], head.seq != verifier.head.seq || head.hash != verifier.head.hash {
                verifier.record(ChainProblem(seq: verifier.head.seq, kind: .headTableMismatch, expected: "seq \(verifier.head.seq), hash \(Hex.encode(verifier.head.hash))",
                                             found: "seq \(head.seq), hash \(Hex.encode(head.hash))", detail: "audit_chain_head"))
            } else if heads[org] == nil, verifier.entries > 0 {
                verifier.record(ChainProblem(seq: verifier.head.seq, kind: .headTableMismatch, expected: "seq \(verifier.head.seq), hash \(Hex.encode(verifier.head.hash))",
                                             found: "no head row", detail: "audit_chain_head"))
            }
            keep(org, verifier.takeProblems())
            results[org] = ChainVerificationResult(chain: "audit_logs", organizationID: org, verifier: verifier, kept: keptByOrg[org] ?? [],
                                                   checkpointsChecked: items.count)
        }
        try await AuditChainScan().run(organizations: organizations, on: connection,
                                       start: { org in AuditChainVerifier(capturing: capture[org] ?? []) },
                                       drain: { org, verifier in keep(org, verifier.takeProblems()) },
                                       finish: finish)
        // Organizations without a single row: an empty chain (a truncation shows against its checkpoints).
        for org in Set(known).union(recorded.keys).union(heads.keys).union(evidence.keys) where results[org] == nil {
            if let organizations, !organizations.contains(org) { continue }
            try await finish(org, AuditChainVerifier())
        }
        return results.keys.sorted().map { results[$0]! }
    }

    /// What the store says of a recorded checkpoint's version (or why it was not asked). A store
    /// that is configured but cannot be read fails the verification (exit 1: could not verify)
    /// rather than judge the checkpoints from their rows, which a superuser could have made.
    private func read(_ row: CheckpointEvidence.Recorded) async throws -> CheckpointEvidence {
        let location = "\(row.storageKey ?? "(no object)")@\(row.versionID ?? "-")"
        guard let store else { return CheckpointEvidence(recorded: row, stored: .unchecked("no WORM store configured"), location: location) }
        guard let key = row.storageKey, let version = row.versionID else {
            return CheckpointEvidence(recorded: row, stored: .unchecked("the checkpoint was stored nowhere"), location: location)
        }
        return CheckpointEvidence(recorded: row, stored: try await Self.fetch(store, key: key, version: version), location: location)
    }

    /// Every locked version under the store's `checkpoints/<organization>/` that no row names,
    /// with its organization (from the key). Unlocked versions are not checkpoints of ours
    /// (every checkpoint is written locked) and are left out.
    private func unrecorded(_ recorded: [String: [CheckpointEvidence.Recorded]]) async throws -> [(String, CheckpointEvidence)] {
        guard let store else { return [] }
        let named = Set(recorded.values.joined().compactMap { r in r.storageKey.flatMap { key in r.versionID.map { "\(key)@\($0)" } } })
        let listed: [VersionListing.Version] = try await OffPool.run { () throws(ObjectStoreError) in try store.listVersions(prefix: "checkpoints/") }
        var out: [(String, CheckpointEvidence)] = []
        for version in listed where !version.isDeleteMarker && !named.contains("\(version.key)@\(version.versionID)") {
            let parts = version.key.dropFirst(store.configuration.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "checkpoints", let uuid = UUID(uuidString: String(parts[1])), uuid.uuidString.lowercased() == parts[1] else { continue }
            let stored = try await Self.fetch(store, key: version.key, version: version.versionID)
            guard case .object(_, let mode, _) = stored, mode == ObjectLockMode.compliance.rawValue else { continue }
            out.append((String(parts[1]), CheckpointEvidence(recorded: nil, stored: stored, location: "\(version.key)@\(version.versionID) (no row)")))
        }
        return out
    }

    /// GET of one version (at most 64 KiB) with its lock from the answer's fields; `.missing` when
    /// it does not exist.
    static func fetch(_ store: S3Client, key: String, version: String) async throws -> CheckpointEvidence.Stored {
        try await OffPool.run { () throws(ObjectStoreError) -> CheckpointEvidence.Stored in
            do throws(ObjectStoreError) {
                var bytes: [UInt8] = []
                let read = try store.getObject(storedKey: key, versionID: version) { (chunk: UnsafeRawBufferPointer) throws(ObjectStoreError) in
                    guard bytes.count + chunk.count <= 64 * 1024 else { throw .refused("a checkpoint object above 64 KiB") }
                    bytes.append(contentsOf: chunk)
                }
                return .object(bytes, lockMode: read.info.retention?.mode.rawValue, retainUntil: read.info.retention?.retainUntil)
            } catch {
                if case .s3(let s3) = error, s3.isMissingObject { return .missing }
                throw error
            }
        }
    }

    /// Runs blocking S3 calls off the cooperative pool.
    // MARK: backup_audit

    private func verifyBackupAudit(report: @escaping (String?, [ChainProblem]) -> Void) async throws -> ChainVerificationResult {
        // One snapshot for the pages and the head row: events recorded meanwhile (serve records
        // them all the time) must not look like a head that disagrees with its chain.
        try await snapshot { connection in
            var verifier = AuditChainVerifier()
            var kept: [ChainProblem] = []
            func keep(_ problems: [ChainProblem]) {
                guard !problems.isEmpty else { return }
                kept += problems.prefix(max(0, ChainVerificationResult.keptProblems - kept.count))
                report(nil, problems)
            }
            var after: Int64 = 0
            while true {
                let page = try await BackupAuditStore().events(afterSeq: after, limit: 5000, on: connection)
                for event in page {
                    verifier.consume(seq: event.seq, time: event.recordedAt, prevHash: event.prevHash, hash: event.hash) {
                        BackupAuditChain.hash(of: event, previousHash: $0)
                    }
                }
                keep(verifier.takeProblems())
                guard let last = page.last, page.count == 5000 else { break }
                after = last.seq
            }
            if let row = try await connection.query("SELECT last_seq, last_hash FROM backup_audit_head").first {
                let seq = try row.decode(Int64.self, "last_seq"), hash = try row.decode(PostgresBytes.self, "last_hash").bytes
                if seq != verifier.head.seq || hash != verifier.head.hash {
                    verifier.record(ChainProblem(seq: verifier.head.seq, kind: .headTableMismatch,
                                                 expected: "seq \(verifier.head.seq), hash \(Hex.encode(verifier.head.hash))",
                                                 found: "seq \(seq), hash \(Hex.encode(hash))", detail: "backup_audit_head"))
                    keep(verifier.takeProblems())
                }
            }
            return ChainVerificationResult(chain: "backup_audit", organizationID: nil, verifier: verifier, kept: kept, checkpointsChecked: 0)
        }
    }

    /// Runs `body` on one connection inside a REPEATABLE READ READ ONLY transaction.
    private func snapshot<T: Sendable>(_ body: (PooledConnection) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            _ = try await connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let result = try await body(connection)
                _ = try await connection.execute("COMMIT")
                return result
            } catch {
                _ = try? await connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: the record

    private func record(_ results: [ChainVerificationResult]) async throws {
        for r in results {
            let problems = CanonicalJSON.array(r.keptProblems.map(Self.json)).text
            _ = try await pool.execute("""
                INSERT INTO audit_chain_verifications (organization_id, chain, entries, head_seq, head_hash, ok, problems, problem_count,
                                                       explained_count, first_problem, checkpoints_checked)
                VALUES (\(r.organizationID)::uuid, \(r.chain), \(r.entries), \(r.headSeq), \(PostgresBytes(r.headHash)), \(r.ok), \(problems)::jsonb,
                        \(Int64(r.problemCount - r.warningCount)), \(Int64(r.explainedCount)), \(r.firstProblem?.description), \(r.checkpointsChecked))
                """)
        }
    }

    /// A problem as JSON: kind, seq, expected, found, detail, explanation (absent ones left out).
    public static func json(_ p: ChainProblem) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = ["kind": .string(p.kind.rawValue), "seq": .integer(p.seq)]
        if let v = p.expected { members["expected"] = .string(v) }
        if let v = p.found { members["found"] = .string(v) }
        if let v = p.detail { members["detail"] = .string(v) }
        if let v = p.explanation { members["explanation"] = .string(v) }
        return .object(members)
    }
}
