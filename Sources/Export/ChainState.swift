import Chronology
import Compliance
import Crypto
import Gdpdu

/// The audit chain recomputed from audit_logs.csv alone (docs/audit-chain.md §3, §6 item 10 of
/// docs/gobd-bao-export.md): each record's hash from the CSV's own texts — the organization,
/// seq, the ISO time exactly as written (it must be the hashed rendering), actor, action,
/// entity, entity id and payload — chained to the hash before it; the first record anchors the
/// segment (judged against integrity.xml at the end).
struct ChainState {
    private let columns: [String: Int]
    static let required = ["organization_id", "seq", "occurred_at_utc", "actor", "action", "entity", "entity_id", "payload", "prev_hash", "hash"]
    private var missingReported = false
    private var verifier: AuditChainVerifier?
    private(set) var first: (seq: Int64, prevHash: [UInt8])?
    private(set) var entries: Int64 = 0

    init(table: GdpduTable) {
        var columns: [String: Int] = [:]
        for (i, c) in table.allColumns.enumerated() { columns[c.name] = i }
        self.columns = columns
    }

    var head: (seq: Int64, hash: [UInt8])? { verifier.flatMap { $0.entries > 0 ? $0.head : nil } }

    /// Consumes one record; what is wrong with it, or nil.
    mutating func consume(_ fields: [GdpduRecordReader.Field]) -> String? {
        let missing = Self.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            if missingReported { return nil }
            missingReported = true
            return "no column \(missing.joined(separator: ", ")): the chain cannot be recomputed"
        }
        func text(_ name: String) -> String { String(decoding: fields[columns[name]!].bytes, as: UTF8.self) }
        guard fields.count > columns.values.max()! else { return nil }
        let seqText = text("seq"), isoText = text("occurred_at_utc")
        guard let seq = Int64(seqText), let prev = Hex.decode(text("prev_hash")), prev.count == 32,
              let hash = Hex.decode(text("hash")), hash.count == 32 else {
            return "seq, prev_hash or hash unreadable: the entry cannot be chained"
        }
        guard let time = Timestamp(rfc3339: isoText) else { return "occurred_at_utc \(isoText) is not an ISO 8601 UTC time" }
        if verifier == nil {
            verifier = AuditChainVerifier(firstSeq: seq, previousHash: prev)
            first = (seq, prev)
        }
        let values = ["organization_id", "actor", "action", "entity", "entity_id", "payload"].map(text)
        verifier!.consume(seq: seq, time: time, prevHash: prev, hash: hash) { previous in
            var p = ChainPreimage(prefix: AuditChain.version, previousHash: previous)
            p.append(values[0])
            p.append(seqText)
            p.append(isoText)
            for v in values[1...] { p.append(v) }
            return SHA256.hash(p.bytes)
        }
        entries += 1
        let problems = verifier!.takeProblems()
        return problems.isEmpty ? nil : problems.map { "audit chain: \($0.description)" }.joined(separator: "; ")
    }
}
