import Chronology
import Compliance
import Postgres

/// Streams `audit_logs` through one `AuditChainVerifier` per organization with a binary COPY
/// ordered by (organization_id, seq) — the primary key's order, so the server walks the index
/// and nothing is sorted or held: memory is one COPY chunk and one verifier per organization at
/// a time, at any size. Rows reach the verifier as bytes (`AuditRowBytes`); no String is made
/// per row. Run it inside the caller's transaction to see one snapshot.
public struct AuditChainScan: Sendable {
    public init() {}

    /// The COPY of every organization's rows.
    static let everyRow: Query = "COPY (SELECT organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash FROM audit_logs ORDER BY organization_id, seq) TO STDOUT (FORMAT binary)"
    /// The COPY of the organizations named in the transaction's `immoflow.verify_organizations`
    /// (COPY takes no parameters, so the list is bound to `set_config` first).
    static let someRows: Query = "COPY (SELECT organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash FROM audit_logs WHERE organization_id = ANY (string_to_array(current_setting('immoflow.verify_organizations'), ',')::uuid[]) ORDER BY organization_id, seq) TO STDOUT (FORMAT binary)"

    /// Runs the scan. `start` gives the verifier for an organization seen first; `drain` is
    /// called after every chunk with each verifier that consumed rows in it (to hand out its
    /// problems); `finish` when an organization's rows end. `organizations` nil: all.
    public func run(organizations: [String]?, on connection: PooledConnection,
                    start: (String) -> AuditChainVerifier,
                    drain: (String, inout AuditChainVerifier) throws -> Void,
                    finish: (String, AuditChainVerifier) async throws -> Void) async throws {
        if let organizations {
            guard !organizations.isEmpty else { return }
            _ = try await connection.query("SELECT set_config('immoflow.verify_organizations', \(organizations.joined(separator: ",")), true)")
        }
        var decoder = CopyBinaryDecoder()
        var current: (uuid: [UInt8], text: [UInt8], verifier: AuditChainVerifier)?
        var ended: [(String, AuditChainVerifier)] = []
        var failure: PostgresError?
        try await connection.copyOut(organizations == nil ? Self.everyRow : Self.someRows, chunkSize: 256 * 1024) { chunk in
            try decoder.feed(chunk) { t in
                guard failure == nil else { return }
                guard t.count == 10, let org = t[0], org.count == 16, let seqBytes = t[1], seqBytes.count == 8,
                      let timeBytes = t[2], let time = Timestamp(postgresBinary: timeBytes),
                      let actor = t[3], let action = t[4], let entity = t[5], let entityID = t[6], let payload = t[7],
                      let prev = t[8], let hash = t[9] else {
                    failure = PostgresError(.protocolViolation, "an audit_logs row of unexpected shape in the COPY")
                    return
                }
                let seq = Int64(bigEndian: seqBytes.loadUnaligned(as: Int64.self))
                if current == nil || !org.elementsEqual(current!.uuid) {
                    if let previous = current { ended.append((String(decoding: previous.text, as: UTF8.self), previous.verifier)) }
                    let text = UUIDText.withText(org) { Array($0) }
                    current = (Array(org), text, start(String(decoding: text, as: UTF8.self)))
                }
                current!.text.withUnsafeBytes { orgText in
                    current!.verifier.consume(AuditRowBytes(organization: orgText, seq: seq, occurredAt: time, actor: actor, action: action,
                                                            entity: entity, entityID: entityID, payload: payload, prevHash: prev, hash: hash))
                }
            }
            if let failure { throw failure }
            for i in ended.indices { try drain(ended[i].0, &ended[i].1) }
            for (org, verifier) in ended { try await finish(org, verifier) }
            ended.removeAll()
            if current != nil {
                let org = String(decoding: current!.text, as: UTF8.self)
                try drain(org, &current!.verifier)
            }
        }
        try decoder.finish()
        if let last = current {
            var verifier = last.verifier
            let org = String(decoding: last.text, as: UTF8.self)
            try drain(org, &verifier)
            try await finish(org, verifier)
        }
    }
}
