import Chronology
import Crypto

/// Judges an organization's checkpoints against its verified chain (docs/audit-chain.md §6):
/// each must be readable, locked in COMPLIANCE, this organization's, and signed by a pinned key
/// (else "invalid checkpoint"); a valid one beyond the head is "checkpoint beyond head" — marked
/// explained when a recorded restore accounts for it — and one whose seq the chain reaches with
/// another hash is "checkpoint mismatch".
public enum CheckpointCheck {
    public static func problems(organizationID: String, evidence: [CheckpointEvidence], head: (seq: Int64, hash: [UInt8]),
                                hashes: [Int64: [UInt8]], keys: [Ed25519PublicKey], restores: [RestoreEvidence]) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        for item in evidence {
            switch trusted(item, organizationID: organizationID, keys: keys) {
            case .failure(let invalid):
                problems.append(invalid)
            case .success(let checkpoint):
                if let problem = compare(checkpoint, at: item.location, head: head, hashes: hashes, restores: restores) {
                    problems.append(problem)
                }
            }
        }
        return problems
    }

    /// The checkpoint to judge the chain by, or why none can be trusted.
    static func trusted(_ item: CheckpointEvidence, organizationID: String, keys: [Ed25519PublicKey]) -> Result<AuditCheckpoint, ChainProblem> {
        let seq = item.recorded?.checkpoint.seq ?? 0
        func invalid(_ why: String, seq: Int64 = seq) -> Result<AuditCheckpoint, ChainProblem> {
            .failure(ChainProblem(seq: seq, kind: .invalidCheckpoint, detail: "\(item.location): \(why)"))
        }
        let checkpoint: AuditCheckpoint
        let signature: [UInt8]
        switch item.stored {
        case .missing:
            return invalid("its locked version is missing from the store")
        case .unchecked(let why):
            // Without the store only the row can be judged (a superuser could have made it).
            guard let recorded = item.recorded else { return invalid("neither recorded nor readable (\(why))") }
            checkpoint = recorded.checkpoint
            signature = recorded.signature
        case .object(let bytes, let mode, _):
            switch AuditCheckpoint.parse(object: bytes) {
            case .failure(let error):
                return invalid("the stored object is not a checkpoint (\(error.reason))")
            case .success(let parsed):
                checkpoint = parsed.checkpoint
                signature = parsed.signature
            }
            guard mode == "COMPLIANCE" else {
                return invalid("the stored version is \(mode.map { "locked in \($0) mode" } ?? "not locked"), not COMPLIANCE", seq: checkpoint.seq)
            }
        }
        guard checkpoint.organizationID == organizationID else {
            return invalid("it is organization \(checkpoint.organizationID)'s checkpoint", seq: checkpoint.seq)
        }
        guard checkpoint.encoding == AuditChain.version else { return invalid("unknown chain encoding \(checkpoint.encoding)", seq: checkpoint.seq) }
        guard let key = keys.first(where: { $0.keyID == checkpoint.keyID }) else {
            return invalid("signed by key \(checkpoint.keyID), which is not pinned", seq: checkpoint.seq)
        }
        guard checkpoint.isSigned(signature, by: key) else { return invalid("bad signature (key \(checkpoint.keyID))", seq: checkpoint.seq) }
        // Locked for the checkpoint's whole period: a short lock would let it be deleted early.
        if case .object(_, _, let until) = item.stored, (until ?? .earliest) < checkpoint.requiredRetainUntil {
            return invalid("locked only until \(until.map { $0.rfc3339 } ?? "nothing"), not until \(checkpoint.requiredRetainUntil.rfc3339)",
                           seq: checkpoint.seq)
        }
        // The object is sound; the row must say what it says (a superuser may have changed it).
        if case .object = item.stored, let recorded = item.recorded, recorded.checkpoint != checkpoint || recorded.signature != signature {
            return invalid("the recorded row differs from the locked object (row: seq \(recorded.checkpoint.seq), hash \(Hex.encode(recorded.checkpoint.hash)))",
                           seq: checkpoint.seq)
        }
        return .success(checkpoint)
    }

    static func compare(_ checkpoint: AuditCheckpoint, at location: String, head: (seq: Int64, hash: [UInt8]), hashes: [Int64: [UInt8]],
                        restores: [RestoreEvidence]) -> ChainProblem? {
        let signed = Hex.encode(checkpoint.hash)
        if checkpoint.seq > head.seq {
            let restore = restores.first { $0.explains(checkpointCreatedAt: checkpoint.createdAt) }
            return ChainProblem(seq: checkpoint.seq, kind: .checkpointBeyondHead, expected: "a chain reaching seq \(checkpoint.seq)",
                                found: "head at seq \(head.seq)", detail: "\(location), signed \(checkpoint.createdAt.rfc3339)",
                                explanation: restore.map { r in
                                    "restore \(r.eventID) at \(r.occurredAt.rfc3339)" + (r.targetTime.map { " to \($0.rfc3339)" } ?? "")
                                })
        }
        if checkpoint.seq == 0 { return nil }   // a checkpoint of an empty chain names no row
        let found = hashes[checkpoint.seq]
        guard found != checkpoint.hash else { return nil }
        return ChainProblem(seq: checkpoint.seq, kind: .checkpointMismatch, expected: signed, found: found.map(Hex.encode) ?? "no row at this seq",
                            detail: "\(location), signed \(checkpoint.createdAt.rfc3339)")
    }
}
