/// A restored database judged against the fingerprint of the backup it came from
/// (`DatabaseFingerprint`): it must hold at least the counted rows of every table (a restore to
/// a later point holds more), every organization's chain at least to the recorded head with the
/// recorded hash there (the same history, not merely as long), and the same or a later schema.
public enum FingerprintComparison {
    /// `found` is the restored database's own fingerprint; `hashAt` gives the restored hash of
    /// an organization's entry at a seq (nil: no such entry).
    public static func findings(expected: DatabaseFingerprint, found: DatabaseFingerprint,
                                hashAt: (String, Int64) -> [UInt8]?) -> [DRFinding] {
        var out: [DRFinding] = []
        for table in DatabaseFingerprint.tables {
            let want = expected.counts[table] ?? 0, have = found.counts[table] ?? 0
            if have < want {
                out.append(DRFinding(.counts, "\(table): \(have) rows, the backup held at least \(want) (fingerprint of \(expected.takenAt.rfc3339))"))
            }
        }
        for org in expected.auditHeads.keys.sorted() {
            let head = expected.auditHeads[org]!
            guard head.seq > 0 else { continue }
            guard let restored = found.auditHeads[org], restored.seq >= head.seq else {
                out.append(DRFinding(.counts, "organization \(org): the audit chain ends at seq \(found.auditHeads[org]?.seq ?? 0), the backup held it to seq \(head.seq)"))
                continue
            }
            if hashAt(org, head.seq) != head.hash {
                out.append(DRFinding(.auditChain, "organization \(org): the entry at seq \(head.seq) is not the one the backup held (another history)"))
            }
        }
        if found.backupAuditHead < expected.backupAuditHead {
            out.append(DRFinding(.counts, "backup_audit ends at seq \(found.backupAuditHead), the backup held it to seq \(expected.backupAuditHead)"))
        }
        if found.migration < expected.migration {
            out.append(DRFinding(.schema, "the schema is at migration \(found.migration), the backup's was \(expected.migration)"))
        }
        return out
    }
}
