import Chronology
import Compliance
import Crypto
import Foundation
import JCS

/// An export as the API shows it (openapi.yaml `Export`), and the list's cursor.
enum ExportJSON {
    static func object(_ r: ExportRecord) -> CanonicalJSON {
        func time(_ t: Timestamp?) -> CanonicalJSON { t.map { .string($0.rfc3339) } ?? .null }
        func text(_ s: String?) -> CanonicalJSON { s.map(CanonicalJSON.string) ?? .null }
        var lock: CanonicalJSON = .null
        if let mode = r.lockMode {
            lock = .object(["mode": .string(mode), "retain_until": time(r.retainUntil), "legal_hold": .bool(r.legalHold),
                            "storage_key": text(r.storageKey), "version_id": text(r.versionID)])
        }
        var verification: CanonicalJSON = .null
        if let at = r.lastVerifiedAt {
            verification = .object(["verified_at": .string(at.rfc3339), "ok": r.lastVerificationOK.map(CanonicalJSON.bool) ?? .null,
                                    "problem": text(r.lastVerificationProblem)])
        }
        var chain: CanonicalJSON = .null
        if let first = r.chainFirstSeq, let last = r.chainLastSeq {
            chain = .object(["first_seq": .integer(first), "last_seq": .integer(last), "head_hash": text(r.chainHead.map(Hex.encode))])
        }
        return .object([
            "id": .string(r.id), "organization_id": .string(r.organizationID), "from": .string(r.from.iso), "to": .string(r.to.iso),
            "profile": .string(r.profile), "state": .string(r.state.rawValue), "worm": .bool(r.worm), "requested_by": text(r.requestedBy),
            "created_at": .string(r.createdAt.rfc3339), "started_at": time(r.startedAt), "finished_at": time(r.finishedAt), "error": text(r.error),
            "rows": r.state == .succeeded ? .object(r.rows.mapValues { .integer($0) }) : .null,
            "size_bytes": r.size.map { .integer($0) } ?? .null, "sha256": text(r.sha256.map(Hex.encode)), "file_name": text(r.fileName),
            "audit_chain": chain, "lock": lock, "verification": verification,
            "package_url": r.state == .succeeded ? .string("/api/compliance/exports/\(r.id)/package") : .null,
        ])
    }

    /// `<created_at µs>.<id>` in base64url: opaque to clients.
    static func cursor(_ r: ExportRecord) -> String {
        Base64.encode(Array("\(r.createdAt.microsecondsSinceEpoch).\(r.id)".utf8), .url)
    }

    static func parseCursor(_ text: String) -> (Timestamp, String)? {
        guard text.count <= 128, let bytes = Base64.decode(text, .url), let plain = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = plain.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), UUID(uuidString: String(parts[1])) != nil else { return nil }
        return (Timestamp(microsecondsSinceEpoch: micros), String(parts[1]))
    }
}
