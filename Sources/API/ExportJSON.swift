import Chronology
import Compliance
import Crypto
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

    /// `<created_at µs>_<id as 32 hex digits>` (openapi.yaml `ExportCursor`): every value of the
    /// pattern is a position, so a client can only ask for a page, never for an error.
    static func cursor(_ r: ExportRecord) -> String {
        "\(r.createdAt.microsecondsSinceEpoch)_" + r.id.filter { $0 != "-" }
    }

    static func parseCursor(_ text: String) -> (Timestamp, String)? {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...16).contains(parts[0].utf8.count), parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let micros = Int64(parts[0]), parts[1].utf8.count == 32,
              parts[1].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        let h = Array(parts[1])
        let id = String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
        return (Timestamp(microsecondsSinceEpoch: micros), id)
    }
}
