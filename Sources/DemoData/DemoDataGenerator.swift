import Chronology
import Compliance
import JCS

/// Generates deterministic demo data from a seed (pure: no I/O, no clock; `now` is an input).
public struct DemoDataGenerator: Sendable {
    /// What to generate.
    public struct Configuration: Sendable, Equatable {
        public var organizations: Int
        public var months: Int
        public var auditLogs: Int
        public var days: Int
        public var seed: UInt64
        public var tenantsPerOrganization: Int
        /// The end of the generated history; nothing is dated after it.
        public var now: Timestamp

        public init(organizations: Int = 4, months: Int = 12, auditLogs: Int = 20_000, days: Int = 35,
                    seed: UInt64 = 42, tenantsPerOrganization: Int = 24, now: Timestamp) {
            self.organizations = organizations
            self.months = months
            self.auditLogs = auditLogs
            self.days = days
            self.seed = seed
            self.tenantsPerOrganization = tenantsPerOrganization
            self.now = now
        }
    }

    public let configuration: Configuration
    private let root: SeededGenerator

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        root = SeededGenerator(seed: configuration.seed)
    }

    // MARK: organizations and tenants

    /// Alternating DE and AT organizations with plausible tax numbers.
    public func organizations() -> [DemoOrganization] {
        var rng = root.derived(1)
        return (0..<configuration.organizations).map { i in
            let german = i % 2 == 0
            let names = german ? DemoCatalog.germanCompanies : DemoCatalog.austrianCompanies
            let base = names[(i / 2) % names.count]
            let name = i / 2 >= names.count ? "\(base) \(i / 2 / names.count + 1)" : base
            let id = rng.uuid()
            // DE: Steuernummer in the 13-digit-ish state format "21/815/08150", USt-IdNr. DE + 9 digits.
            // AT: Steuernummer "12 345/6789" (Finanzamt + Nummer), UID ATU + 8 digits.
            let tax = german
                ? "\(rng.int(10...99))/\(rng.int(100...999))/\(rng.int(10000...99999))"
                : "\(rng.int(10...99)) \(rng.int(100...999))/\(rng.int(1000...9999))"
            let vat = german ? "DE\(rng.int(100_000_000...999_999_999))" : "ATU\(rng.int(10_000_000...99_999_999))"
            return DemoOrganization(id: id, name: name, country: german ? "DE" : "AT", taxNumber: tax, vatID: vat)
        }
    }

    /// Tenants of one organization: mostly residential, some commercial.
    public func tenants(of organization: DemoOrganization, index: Int) -> [DemoTenant] {
        var rng = root.derived(1000 + UInt64(index))
        let street = rng.pick(DemoCatalog.streets)
        return (0..<configuration.tenantsPerOrganization).map { t in
            let commercial = t % 6 == 5
            let name = commercial ? rng.pick(DemoCatalog.commercialTenants)
                : "\(rng.pick(DemoCatalog.firstNames)) \(rng.pick(DemoCatalog.lastNames))"
            let unit = organization.country == "AT" ? "\(street) \(rng.int(1...40)), Top \(t + 1)"
                : "\(street) \(rng.int(1...120)), \(t / 4 + 1). OG \(["links", "rechts", "Mitte", "hinten"][t % 4])"
            return DemoTenant(id: rng.uuid(), organizationID: organization.id, name: name, unit: unit,
                              usage: commercial ? "commercial" : "residential")
        }
    }

    // MARK: invoices and ledger

    /// VAT in basis points: DE commercial 19 % (§12 Abs. 1 UStG, opted in per §9 UStG), DE
    /// residential exempt (§4 Nr. 12 a UStG); AT residential 10 % (§10 Abs. 2 Z 3 lit. a UStG
    /// 1994), AT commercial 20 % (§10 Abs. 1 UStG 1994).
    public static func vatBasisPoints(country: String, usage: String) -> Int64 {
        switch (country, usage) {
        case ("DE", "commercial"): return 1900
        case ("DE", _): return 0
        case ("AT", "residential"): return 1000
        default: return 2000
        }
    }

    /// Monthly invoices for the last `months` months (the current one included) and their ledger
    /// entries: a charge on the 1st, and for most a payment a few days later. Fully paid tenants
    /// reconcile to a balance of 0.
    public func invoicesAndLedger(organization: DemoOrganization, index: Int,
                                  tenants: [DemoTenant]) -> (invoices: [DemoInvoice], ledger: [DemoLedgerEntry]) {
        var rng = root.derived(2000 + UInt64(index))
        let today = CalendarDate(daysSinceEpoch: Int(configuration.now.secondsSinceEpoch / 86_400))
        let firstPeriod = today.firstOfMonth(addingMonths: -(configuration.months - 1))
        let prefix = organization.country == "AT" ? "AR" : "RE"
        let rentAccount = organization.country == "AT" ? "4840" : "4105"
        let bankAccount = organization.country == "AT" ? "2800" : "1800"
        var invoices: [DemoInvoice] = []
        var ledger: [DemoLedgerEntry] = []
        var number = 0
        let baseRent = tenants.map { _ in Int64(rng.int(45_000...185_000)) }
        for m in 0..<configuration.months {
            let period = firstPeriod.firstOfMonth(addingMonths: m)
            let (year, month, _) = period.components
            for (t, tenant) in tenants.enumerated() {
                number += 1
                let net = Money(cents: baseRent[t] + Int64(m / 12) * 1_500)
                let rate = Self.vatBasisPoints(country: organization.country, usage: tenant.usage)
                let vat = net.percentage(basisPoints: rate)
                let gross = net + vat
                let invoiceID = rng.uuid()
                let payDay = period.adding(days: rng.int(2...12))
                let roll = rng.int(0...99)
                let paid: Money?
                let status: String
                if payDay > today || roll >= 97 {
                    paid = nil
                    status = "open"
                } else if roll >= 93 {
                    paid = Money(cents: gross.cents / 2)
                    status = "partially_paid"
                } else {
                    paid = gross
                    status = "paid"
                }
                let label = "\(month < 10 ? "0" : "")\(month)/\(year)"
                invoices.append(DemoInvoice(
                    id: invoiceID, organizationID: organization.id, tenantID: tenant.id,
                    number: "\(prefix)-\(year)-\(String(repeating: "0", count: max(0, 6 - String(number).count)))\(number)",
                    period: period, issuedAt: Timestamp(secondsSinceEpoch: Int64(period.daysSinceEpoch) * 86_400 + 6 * 3600),
                    dueDate: period.adding(days: 4), net: net, vatRate: Money(cents: rate).description, vat: vat,
                    gross: gross, status: status,
                    description: tenant.usage == "commercial" ? "Gewerbemiete \(label) – \(tenant.unit)" : "Miete \(label) – \(tenant.unit)"))
                ledger.append(DemoLedgerEntry(
                    id: rng.uuid(), organizationID: organization.id, tenantID: tenant.id, bookingDate: period,
                    account: rentAccount, amount: gross, entryType: "charge", description: "Sollstellung Miete \(label)",
                    invoiceID: invoiceID))
                if let paid {
                    ledger.append(DemoLedgerEntry(
                        id: rng.uuid(), organizationID: organization.id, tenantID: tenant.id, bookingDate: payDay,
                        account: bankAccount, amount: -paid, entryType: "payment",
                        description: "Zahlungseingang \(tenant.name) – Miete \(label)", invoiceID: invoiceID))
                }
            }
        }
        return (invoices, ledger)
    }

    // MARK: audit logs

    /// How many audit-log rows each organization gets (the total spread evenly).
    public func auditLogCount(organizationIndex: Int) -> Int {
        let n = configuration.organizations
        return configuration.auditLogs / n + (organizationIndex < configuration.auditLogs % n ? 1 : 0)
    }

    /// Audit-log rows `range` of one organization, with canonical JSON payloads. Each
    /// organization has its own stream, so batches can be written in parallel.
    public func auditEntries(organizationIndex: Int, range: Range<Int>) -> [NewAuditEntry] {
        range.map { i in
            var rng = root.derived(3_000_000 + UInt64(organizationIndex) << 32 + UInt64(i))
            let (action, entity) = rng.pick(DemoCatalog.actions)
            let actor = rng.chance(0.15) ? "system:billing-run" : "user:\(rng.int(1...12))"
            var payload: [String: CanonicalJSON] = ["request_id": .string(rng.uuid())]
            switch entity {
            case "monthly_invoices", "ledger_entries":
                let cents = Int64(rng.int(10_000...250_000))
                payload["amount"] = .string(Money(cents: cents).description)
                payload["note"] = .string(rng.pick(DemoCatalog.notes))
            case "tenants":
                payload["changed"] = .array([.string("phone"), .string(rng.chance(0.5) ? "email" : "iban")])
                payload["name"] = .string("\(rng.pick(DemoCatalog.firstNames)) \(rng.pick(DemoCatalog.lastNames))")
            case "users":
                payload["mfa"] = .bool(rng.chance(0.8))
            default:
                payload["bytes"] = .integer(Int64(rng.int(2_000...4_000_000)))
                payload["file"] = .string("Beleg_\(rng.int(1000...9999)).pdf")
            }
            return NewAuditEntry(actor: actor, action: action, entity: entity,
                                 entityID: entity == "users" ? "" : rng.uuid(),
                                 payload: CanonicalJSON.object(payload).text)
        }
    }
}
