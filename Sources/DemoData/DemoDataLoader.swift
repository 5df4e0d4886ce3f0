import Chronology
import Compliance
import ComplianceStore
import Foundation
import Postgres

/// Writes generated demo data into a migrated database.
public struct DemoDataLoader: Sendable {
    /// What was written and how fast.
    public struct Report: Sendable {
        public var organizations = 0
        public var tenants = 0
        public var invoices = 0
        public var ledgerEntries = 0
        public var auditLogs = 0
        public var backupEvents = 0
        public var auditLogSeconds = 0.0
        public var totalSeconds = 0.0

        /// Audit-log rows per second (through the chaining trigger).
        public var auditLogRate: Double { auditLogSeconds > 0 ? Double(auditLogs) / auditLogSeconds : 0 }
    }

    /// Failure that is the caller's to fix (for example a database that already has data).
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    public let generator: DemoDataGenerator
    /// Rows per INSERT statement for audit logs (one transaction each).
    public var auditBatchSize = 10_000

    public init(generator: DemoDataGenerator) { self.generator = generator }

    /// Loads everything; audit logs of different organizations in parallel, one connection each.
    public func load(into pool: ConnectionPool, progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        let existing = try await pool.query("SELECT count(*) AS n FROM organizations").single().decode(Int.self, "n")
        guard existing == 0 else {
            throw Refusal(description: "the database already has \(existing) organizations; demo-data loads into an empty database")
        }
        var report = Report()
        let organizations = generator.organizations()
        try await pool.withTransaction { connection in
            for (index, organization) in organizations.enumerated() {
                try await insert(organization, on: connection)
                let tenants = generator.tenants(of: organization, index: index)
                try await insert(tenants, on: connection)
                let (invoices, ledger) = generator.invoicesAndLedger(organization: organization, index: index, tenants: tenants)
                try await insert(invoices, on: connection)
                try await insert(ledger, on: connection)
                report.organizations += 1
                report.tenants += tenants.count
                report.invoices += invoices.count
                report.ledgerEntries += ledger.count
            }
        }
        progress("organizations \(report.organizations), tenants \(report.tenants), invoices \(report.invoices), ledger entries \(report.ledgerEntries)")

        let auditStarted = clock.now
        let store = AuditLogStore()
        let batch = auditBatchSize
        report.auditLogs = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, organization) in organizations.enumerated() {
                let total = generator.auditLogCount(organizationIndex: index)
                guard let organizationID = UUID(uuidString: organization.id) else { continue }
                group.addTask {
                    var written = 0
                    var offset = 0
                    while offset < total {
                        let entries = generator.auditEntries(organizationIndex: index, range: offset..<min(total, offset + batch))
                        // Demo data may be lost in a crash without harm: do not wait for the WAL flush.
                        written += try await pool.withTransaction { c in
                            try await c.execute("SET LOCAL synchronous_commit = off")
                            return try await store.append(entries, organization: organizationID, on: c)
                        }
                        offset += entries.count
                    }
                    return written
                }
            }
            return try await group.reduce(0, +)
        }
        report.auditLogSeconds = (clock.now - auditStarted).seconds
        progress(String(format: "audit logs %d in %.2f s: %.0f rows/s through the chain trigger",
                        report.auditLogs, report.auditLogSeconds, report.auditLogRate))

        let history = DemoBackupHistory(now: generator.configuration.now, days: generator.configuration.days,
                                        seed: generator.configuration.seed).events()
        let backupStore = BackupAuditStore()
        for chunk in stride(from: 0, to: history.count, by: 1000) {
            report.backupEvents += try await pool.withConnection {
                try await backupStore.append(Array(history[chunk..<min(history.count, chunk + 1000)]), on: $0)
            }
        }
        progress("backup events \(report.backupEvents) over \(generator.configuration.days) days")
        report.totalSeconds = (clock.now - started).seconds
        return report
    }

    private func insert(_ o: DemoOrganization, on c: PooledConnection) async throws {
        try await c.execute("""
            INSERT INTO organizations (id, name, country, tax_number, vat_id)
            VALUES (\(o.id)::uuid, \(o.name), \(o.country), \(o.taxNumber), \(o.vatID))
            """)
    }

    private func insert(_ tenants: [DemoTenant], on c: PooledConnection) async throws {
        try await c.execute("""
            INSERT INTO tenants (id, organization_id, name, unit, usage)
            SELECT * FROM unnest(\(tenants.map(\.id))::uuid[], \(tenants.map(\.organizationID))::uuid[],
                                 \(tenants.map(\.name))::text[], \(tenants.map(\.unit))::text[], \(tenants.map(\.usage))::text[])
            """)
    }

    private func insert(_ invoices: [DemoInvoice], on c: PooledConnection) async throws {
        try await c.execute("""
            INSERT INTO monthly_invoices (id, organization_id, tenant_id, invoice_number, period, issued_at, due_date,
                net_amount, vat_rate, vat_amount, gross_amount, status, description)
            SELECT * FROM unnest(\(invoices.map(\.id))::uuid[], \(invoices.map(\.organizationID))::uuid[],
                \(invoices.map(\.tenantID))::uuid[], \(invoices.map(\.number))::text[], \(invoices.map(\.period))::date[],
                \(invoices.map(\.issuedAt))::timestamptz[], \(invoices.map(\.dueDate))::date[],
                \(invoices.map(\.net.description))::numeric[], \(invoices.map(\.vatRate))::numeric[],
                \(invoices.map(\.vat.description))::numeric[], \(invoices.map(\.gross.description))::numeric[],
                \(invoices.map(\.status))::text[], \(invoices.map(\.description))::text[])
            """)
    }

    private func insert(_ entries: [DemoLedgerEntry], on c: PooledConnection) async throws {
        try await c.execute("""
            INSERT INTO ledger_entries (id, organization_id, tenant_id, booking_date, account, amount, entry_type,
                description, invoice_id)
            SELECT * FROM unnest(\(entries.map(\.id))::uuid[], \(entries.map(\.organizationID))::uuid[],
                \(entries.map(\.tenantID))::uuid[], \(entries.map(\.bookingDate))::date[], \(entries.map(\.account))::text[],
                \(entries.map(\.amount.description))::numeric[], \(entries.map(\.entryType))::text[],
                \(entries.map(\.description))::text[], \(entries.map(\.invoiceID))::uuid[])
            """)
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (for reporting only).
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
