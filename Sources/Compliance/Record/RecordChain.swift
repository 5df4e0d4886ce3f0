/// The preimage of a chained record, from its columns: the version prefix, the previous hash,
/// then F/N of every chained column in table order (docs/audit-chain.md §3), each rendered as
/// PostgreSQL's `::text` would (`ColumnValue.textForm`). The SQL function that computes the same
/// bytes lists the same columns; a test compares the two lists.
public enum RecordChain {
    public static func preimage<R: ColumnRecord>(of record: R, prefix: String, previousHash: [UInt8]) -> [UInt8] {
        var p = ChainPreimage(prefix: prefix, previousHash: previousHash)
        for column in R.Column.allCases where column.spec.chained {
            p.append(nullable: record.value(column).textForm)
        }
        return p.bytes
    }
}
