import Chronology
import Crypto
import JCS

/// What a database held at one moment, small enough to travel with every backup event
/// (`details.fingerprint` of a backup's `started` event, taken just before pgBackRest starts):
/// the row counts of the books' tables, each organization's audit chain head, the backup_audit
/// head and the schema's migration. Every row it counts was committed before the backup began,
/// so a restore of that backup — to its end or any later point — holds at least these rows and
/// these chain prefixes (`FingerprintComparison`).
public struct DatabaseFingerprint: Sendable, Equatable {
    /// The tables counted, in report order.
    public static let tables = ["organizations", "tenants", "monthly_invoices", "ledger_entries", "audit_logs"]

    public var takenAt: Timestamp
    public var counts: [String: Int64]
    /// organization → (last seq, its hash).
    public var auditHeads: [String: (seq: Int64, hash: [UInt8])]
    public var backupAuditHead: Int64
    public var migration: Int

    public init(takenAt: Timestamp, counts: [String: Int64], auditHeads: [String: (seq: Int64, hash: [UInt8])], backupAuditHead: Int64, migration: Int) {
        self.takenAt = takenAt
        self.counts = counts
        self.auditHeads = auditHeads
        self.backupAuditHead = backupAuditHead
        self.migration = migration
    }

    public static func == (a: Self, b: Self) -> Bool { a.json == b.json }

    public var json: CanonicalJSON {
        .object([
            "taken_at": .string(takenAt.rfc3339), "counts": .object(counts.mapValues { .integer($0) }),
            "audit_heads": .object(auditHeads.mapValues { .object(["seq": .integer($0.seq), "hash": .string(Hex.encode($0.hash))]) }),
            "backup_audit_head": .integer(backupAuditHead), "migration": .integer(Int64(migration)),
        ])
    }

    /// Reads a fingerprint back (from an event's details or a file); nil when it is not one.
    public init?(json: JSONValue) {
        guard let taken = json["taken_at"]?.string.flatMap({ Timestamp(rfc3339: $0) }), let counts = json["counts"]?.members,
              let heads = json["audit_heads"]?.members, let backupHead = json["backup_audit_head"]?.integer,
              let migration = json["migration"]?.integer else { return nil }
        var c: [String: Int64] = [:]
        for (k, v) in counts {
            guard let n = v.integer else { return nil }
            c[k] = n
        }
        var h: [String: (seq: Int64, hash: [UInt8])] = [:]
        for (org, v) in heads {
            guard let seq = v["seq"]?.integer, let hash = v["hash"]?.string.flatMap(Hex.decode), hash.count == 32 else { return nil }
            h[org] = (seq, hash)
        }
        self.init(takenAt: taken, counts: c, auditHeads: h, backupAuditHead: backupHead, migration: Int(migration))
    }
}
