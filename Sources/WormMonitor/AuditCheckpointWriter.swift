import Chronology
import Compliance
import ComplianceStore
import Crypto
import Dispatch
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres

/// `audit checkpoint` and the server's daily checkpoints (docs/audit-chain.md §5): each
/// organization's chain is verified first — a head is signed only when the chain up to it is
/// intact, or the signature would vouch for a tampered history — then its head is signed with
/// Ed25519, stored as an object locked in COMPLIANCE mode for 10 years (to 1 January of the
/// eleventh year after its creation, the books' period of §147 AO / §132 BAO at its longest),
/// and recorded in `audit_checkpoints` with the version ID. An organization whose newest
/// checkpoint already names its head is skipped unless forced.
public final class AuditCheckpointWriter: Sendable {
    /// What happened to one organization.
    public struct Outcome: Sendable, Equatable {
        public enum State: String, Sendable { case written, skipped, refused }
        public var organizationID: String
        public var state: State
        public var seq: Int64
        public var detail: String
        public var storageKey: String?
        public var versionID: String?
        public var keyID: String?
    }

    let pool: ConnectionPool
    let store: S3Client
    let key: Ed25519PrivateKey
    let verification: AuditChainVerification

    public init(pool: ConnectionPool, store: S3Client, key: Ed25519PrivateKey, pinned: [Ed25519PublicKey]) {
        self.pool = pool
        self.store = store
        self.key = key
        var keys = pinned
        if !keys.contains(key.publicKey) { keys.append(key.publicKey) }
        verification = AuditChainVerification(pool: pool, store: store, keys: keys)
    }

    /// The object key of a checkpoint (after the store's prefix).
    public static func objectName(_ c: AuditCheckpoint) -> String {
        let seq = String(c.seq)
        return "checkpoints/\(c.organizationID)/\(String(repeating: "0", count: max(0, 20 - seq.count)) + seq)-\(c.createdAt.rfc3339Compact).txt"
    }

    public func run(organizations: [String]?, force: Bool, now: Timestamp,
                    report: @escaping (String?, [ChainProblem]) -> Void = { _, _ in }) async throws -> [Outcome] {
        let results = try await verification.run(organizations: organizations, backupAudit: false, report: report)
        let latest = try await pool.withConnection { try await AuditCheckpointStore().latestSeqs(on: $0) }
        var outcomes: [Outcome] = []
        for result in results {
            guard let org = result.organizationID else { continue }
            var outcome = Outcome(organizationID: org, state: .skipped, seq: result.headSeq, detail: "", keyID: key.publicKey.keyID)
            if !result.ok {
                outcome.state = .refused
                outcome.detail = "the chain has problems (first: \(result.firstProblem?.description ?? "?")): its head is not signed"
            } else if result.headSeq == 0 {
                outcome.detail = "no entries yet"
            } else if !force, latest[org] == result.headSeq {
                outcome.detail = "the newest checkpoint already names seq \(result.headSeq)"
            } else {
                let checkpoint = AuditCheckpoint(organizationID: org, seq: result.headSeq, hash: result.headHash, createdAt: now, keyID: key.publicKey.keyID)
                let (object, signature) = try checkpoint.signedObject(with: key)
                let until = checkpoint.requiredRetainUntil
                let name = Self.objectName(checkpoint)
                let stored = try await put(name: name, object: object, until: until)
                try await pool.withConnection { connection in
                    try await AuditCheckpointStore().insert(checkpoint, signature: signature, storageKey: stored.key, versionID: stored.versionID,
                                                            retainUntil: until, objectSHA256: Hex.decode(stored.sha256), on: connection)
                }
                outcome.state = .written
                outcome.detail = "locked in COMPLIANCE mode until \(ObjectRetention(mode: .compliance, retainUntil: until).retainUntilText)"
                outcome.storageKey = stored.key
                outcome.versionID = stored.versionID
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    private func put(name: String, object: [UInt8], until: Timestamp) async throws -> StoredObject {
        let store = self.store
        return try await OffPool.run { () throws(ObjectStoreError) in
            try store.requireWORMBucket()
            return try store.putObject(name: name, bytes: object, contentType: "text/plain; charset=utf-8",
                                       retention: ObjectRetention(mode: .compliance, retainUntil: until))
        }
    }
}
