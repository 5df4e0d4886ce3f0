import Compliance
import Postgres

/// The ledger reconciled against the invoices (seed §4.2 "Payment/Ledger-Reconciliation", made a
/// check): every invoice's charges sum to its gross amount, and its payments agree with its status
/// — `paid`: charges and payments cancel out, `open`: no payment, `partially_paid`: some but not
/// all. What it proves: the restored ledger and the restored invoices are the same set of books (a
/// restore that lost or duplicated bookings or invoices shows); not that the amounts are right.
/// Alongside, as information, the tenants with an open balance (the seed's query) and their total.
public struct LedgerReconciliation: Sendable {
    public struct Summary: Sendable, Equatable {
        public var invoices: Int64
        public var ledgerEntries: Int64
        public var tenantsWithOpenBalance: Int64
        public var openBalance: String
        public var mismatches: Int64
    }

    public init() {}

    public func run(on connection: PooledConnection, keep: Int = 50) async throws -> (Summary, [DRFinding]) {
        let mismatch = """
            FROM (SELECT i.id, i.invoice_number, i.status, i.gross_amount,
                         coalesce(sum(l.amount) FILTER (WHERE l.entry_type = 'charge'), 0) AS charged,
                         coalesce(sum(l.amount) FILTER (WHERE l.entry_type = 'payment'), 0) AS paid
                  FROM monthly_invoices i LEFT JOIN ledger_entries l ON l.invoice_id = i.id
                  GROUP BY i.id) x
            WHERE x.status <> 'cancelled' AND (x.charged <> x.gross_amount
               OR (x.status = 'paid' AND x.charged + x.paid <> 0)
               OR (x.status = 'open' AND x.paid <> 0)
               OR (x.status = 'partially_paid' AND NOT (x.paid < 0 AND x.charged + x.paid > 0)))
            """
        let count = try await connection.query(Query(unsafeSQL: "SELECT count(*) " + mismatch)).single().decode(Int64.self, at: 0)
        var findings: [DRFinding] = []
        for row in try await connection.query(Query(unsafeSQL: """
            SELECT x.invoice_number, x.status, x.gross_amount::text AS gross, x.charged::text AS charged, x.paid::text AS paid
            """ + " " + mismatch + " ORDER BY x.invoice_number LIMIT \(keep)")) {
            findings.append(DRFinding(.reconciliation, "invoice \(try row.decode(String.self, "invoice_number")) (\(try row.decode(String.self, "status"))): "
                + "gross \(try row.decode(String.self, "gross")), charged \(try row.decode(String.self, "charged")), paid \(try row.decode(String.self, "paid"))"))
        }
        if count > Int64(keep) { findings.append(DRFinding(.reconciliation, "… and \(count - Int64(keep)) more invoices that do not reconcile")) }
        let totals = try await connection.query("""
            SELECT (SELECT count(*) FROM monthly_invoices) AS invoices, (SELECT count(*) FROM ledger_entries) AS entries,
                   count(*) AS tenants, coalesce(sum(balance), 0)::text AS open
            FROM (SELECT tenant_id, sum(amount) AS balance FROM ledger_entries GROUP BY tenant_id HAVING sum(amount) <> 0) b
            """).single()
        let summary = Summary(invoices: try totals.decode(Int64.self, "invoices"), ledgerEntries: try totals.decode(Int64.self, "entries"),
                              tenantsWithOpenBalance: try totals.decode(Int64.self, "tenants"), openBalance: try totals.decode(String.self, "open"),
                              mismatches: count)
        return (summary, findings)
    }
}
