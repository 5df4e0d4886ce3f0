import Gdpdu

/// The data files of a package, master data first (docs/gobd-bao-export.md §4 "Table order",
/// §10): organizations, tenants, monthly_invoices, ledger_entries, audit_logs, backup_audit.
/// Descriptions in German, ASCII transliterated; timestamps in UTC as three columns.
public enum PackageTables {
    // The export's organization and period, bound per transaction with set_config.
    static let organization = "current_setting('immoflow.export_organization')::uuid"
    static let firstDay = "current_setting('immoflow.export_from')::date"
    static let lastDay = "current_setting('immoflow.export_to')::date"
    static let periodStart = "(current_setting('immoflow.export_from')::date::timestamp AT TIME ZONE 'UTC')"
    static let periodEnd = "((current_setting('immoflow.export_to')::date + 1)::timestamp AT TIME ZONE 'UTC')"

    public static let organizations = ExportTable(
        name: "organizations", description: "Mandant (Stammdaten)",
        columns: [ExportColumn("organization_id", "id", .uuid, "Schluessel des Mandanten"),
                  ExportColumn("name", nil, .text, "Firmenname"),
                  ExportColumn("country", nil, .text, "Staat: DE (GoBD) oder AT (BAO)"),
                  ExportColumn("tax_number", nil, .text, "Steuernummer"),
                  ExportColumn("vat_id", nil, .text, "USt-IdNr. / UID"),
                  ExportColumn(timestamp: "created_at", date: "created_date", time: "created_time", utc: "created_at_utc", "angelegt")],
        primaryKeyCount: 1, foreignKeys: [], periodic: false,
        from: "FROM organizations WHERE id = \(organization)", orderBy: "id")

    public static let tenants = ExportTable(
        name: "tenants", description: "Mieter (Stammdaten)",
        columns: [ExportColumn("tenant_id", "id", .uuid, "Schluessel des Mieters"),
                  ExportColumn("organization_id", nil, .uuid, "Mandant"),
                  ExportColumn("name", nil, .text, "Name des Mieters"),
                  ExportColumn("unit", nil, .text, "Mieteinheit"),
                  ExportColumn("usage", nil, .text, "Nutzung: residential (Wohnen) oder commercial (Gewerbe)"),
                  ExportColumn(timestamp: "created_at", date: "created_date", time: "created_time", utc: "created_at_utc", "angelegt")],
        primaryKeyCount: 1, foreignKeys: [.init(["organization_id"], references: "organizations")], periodic: false,
        from: "FROM tenants WHERE organization_id = \(organization)", orderBy: "id")

    /// The period's invoices, and older ones a booking of the period refers to (so every key
    /// of ledger_entries.csv resolves: GoBD Rz. 167, "interne Verknuepfungen").
    public static let monthlyInvoices = ExportTable(
        name: "monthly_invoices", description: "Monatsrechnungen (Buchungsbelege); auch aeltere, auf die eine Buchung des Zeitraums verweist",
        columns: [ExportColumn("invoice_id", "id", .uuid, "Schluessel der Rechnung"),
                  ExportColumn("organization_id", nil, .uuid, "Mandant"),
                  ExportColumn("tenant_id", nil, .uuid, "Mieter"),
                  ExportColumn("invoice_number", nil, .text, "fortlaufende Rechnungsnummer"),
                  ExportColumn("period", nil, .date, "Abrechnungsmonat (erster Tag)"),
                  ExportColumn(timestamp: "issued_at", date: "issued_date", time: "issued_time", utc: "issued_at_utc", "Rechnungsdatum"),
                  ExportColumn("due_date", nil, .date, "faellig am"),
                  ExportColumn("net_amount", "net_amount::text", .decimal(accuracy: 2), "Nettobetrag"),
                  ExportColumn("vat_rate", "vat_rate::text", .decimal(accuracy: 2), "Steuersatz in Prozent"),
                  ExportColumn("vat_amount", "vat_amount::text", .decimal(accuracy: 2), "Steuerbetrag"),
                  ExportColumn("gross_amount", "gross_amount::text", .decimal(accuracy: 2), "Bruttobetrag"),
                  ExportColumn("currency", nil, .text, "Waehrung (ISO 4217)"),
                  ExportColumn("status", nil, .text, "open, partially_paid, paid oder cancelled"),
                  ExportColumn("description", nil, .text, "Rechnungstext"),
                  ExportColumn(timestamp: "created_at", date: "created_date", time: "created_time", utc: "created_at_utc", "erfasst")],
        primaryKeyCount: 1,
        foreignKeys: [.init(["organization_id"], references: "organizations"), .init(["tenant_id"], references: "tenants")], periodic: true,
        from: "FROM monthly_invoices WHERE organization_id = \(organization) AND (period BETWEEN \(firstDay) AND \(lastDay) OR id IN "
            + "(SELECT invoice_id FROM ledger_entries WHERE organization_id = \(organization) AND booking_date BETWEEN \(firstDay) AND \(lastDay)))",
        orderBy: "id")

    public static let ledgerEntries = ExportTable(
        name: "ledger_entries", description: "Buchungen (Journal) des Zeitraums nach Buchungsdatum",
        columns: [ExportColumn("entry_id", "id", .uuid, "Schluessel der Buchung"),
                  ExportColumn("organization_id", nil, .uuid, "Mandant"),
                  ExportColumn("tenant_id", nil, .uuid, "Mieter"),
                  ExportColumn("invoice_id", nil, .uuid, "Rechnung, leer wenn keine"),
                  ExportColumn("booking_date", nil, .date, "Buchungsdatum"),
                  ExportColumn("account", nil, .text, "Konto (Text: fuehrende Nullen bleiben)"),
                  ExportColumn("amount", "amount::text", .decimal(accuracy: 2), "Betrag: Forderung positiv, Zahlung negativ"),
                  ExportColumn("entry_type", nil, .text, "charge, payment oder adjustment"),
                  ExportColumn("booking_text", "description", .text, "Buchungstext"),
                  ExportColumn(timestamp: "created_at", date: "recorded_date", time: "recorded_time", utc: "recorded_at_utc", "erfasst")],
        primaryKeyCount: 1,
        foreignKeys: [.init(["organization_id"], references: "organizations"), .init(["tenant_id"], references: "tenants"),
                      .init(["invoice_id"], references: "monthly_invoices")],
        periodic: true,
        from: "FROM ledger_entries WHERE organization_id = \(organization) AND booking_date BETWEEN \(firstDay) AND \(lastDay)", orderBy: "id")

    /// The chain segment of the period: every seq from the first to the last entry that occurred
    /// in it (`immoflow.export_first_seq` … `last_seq`), gap-free, in the hashed renderings.
    public static let auditLogs = ExportTable(
        name: "audit_logs", description: "Aenderungsprotokoll mit SHA-256-Hashkette je Mandant (audit-v1)",
        columns: [ExportColumn("organization_id", nil, .uuid, "Mandant"),
                  ExportColumn("seq", nil, .integer, "lueckenlos ab 1 je Mandant"),
                  ExportColumn(timestamp: "occurred_at", date: "event_date", time: "event_time", utc: "occurred_at_utc", "Ereignis, so gehasht"),
                  ExportColumn("actor", nil, .hashedText, "wer"),
                  ExportColumn("action", nil, .hashedText, "was"),
                  ExportColumn("entity", nil, .hashedText, "Tabelle"),
                  ExportColumn("entity_id", nil, .hashedText, "Datensatz"),
                  ExportColumn("payload", nil, .hashedText, "kanonisches JSON (RFC 8785), die gehashten Bytes"),
                  ExportColumn("prev_hash", nil, .hex, "Hash des Vorgaengers (hex)"),
                  ExportColumn("hash", nil, .hex, "SHA-256 dieses Eintrags (hex)")],
        primaryKeyCount: 2, foreignKeys: [.init(["organization_id"], references: "organizations")], periodic: true,
        from: "FROM audit_logs WHERE organization_id = \(organization) AND seq BETWEEN current_setting('immoflow.export_first_seq')::bigint "
            + "AND current_setting('immoflow.export_last_seq')::bigint",
        orderBy: "organization_id, seq")

    /// Evidence of the backups of the period (docs/decisions.md): the server's rows are
    /// cluster-wide — they prove the backups of the database that holds these books — so every
    /// backup, check, restore and verification event is included, and the events about single
    /// organizations (exports, locks, holds) only when their details name this one. No foreign
    /// key; `details` stays out (it may name other organizations).
    public static let backupAudit = ExportTable(
        name: "backup_audit", description: "Sicherungsprotokoll des Zeitraums (Datenbank-Sicherungen, Pruefungen, Wiederherstellungstests)",
        columns: [ExportColumn("seq", nil, .integer, "laufende Nummer der Server-Hashkette"),
                  ExportColumn("event_id", nil, .uuid, "Schluessel des Ereignisses"),
                  ExportColumn("run_id", nil, .uuid, "Lauf (started und Ergebnis teilen ihn)"),
                  ExportColumn("event_type", nil, .text, "Art"),
                  ExportColumn("status", nil, .text, "started, succeeded, completed_with_errors oder failed"),
                  ExportColumn(timestamp: "occurred_at", date: "event_date", time: "event_time", utc: "occurred_at_utc", "Ereignis"),
                  ExportColumn("stanza", nil, .text, "pgBackRest-Stanza"),
                  ExportColumn("repo", "repo::bigint", .integer, "Repository"),
                  ExportColumn("backup_label", "label", .text, "Sicherung"),
                  ExportColumn("size_bytes", nil, .integer, "Groesse der Datenbank in Bytes"),
                  ExportColumn("repo_size_bytes", nil, .integer, "Groesse im Repository in Bytes"),
                  ExportColumn("exit_code", "exit_code::bigint", .integer, "Rueckgabewert"),
                  ExportColumn("error_message", nil, .text, "Fehlermeldung"),
                  ExportColumn("prev_hash", nil, .hex, "Hash des Vorgaengers (hex)"),
                  ExportColumn("hash", nil, .hex, "SHA-256 dieses Eintrags (hex, backup-audit-v1)")],
        primaryKeyCount: 1, foreignKeys: [], periodic: true,
        from: "FROM backup_audit WHERE occurred_at >= \(periodStart) AND occurred_at < \(periodEnd) AND (event_type NOT IN "
            + "('export_created', 'worm_locked', 'legal_hold') OR details::jsonb ->> 'organization_id' = \(organization)::text)",
        orderBy: "seq")

    /// In package order: master data first, every referenced table before the tables that refer to it.
    public static let all = [organizations, tenants, monthlyInvoices, ledgerEntries, auditLogs, backupAudit]
}
