import Chronology
import Compliance
import JCS
import DemoData
import Foundation
import Testing

/// The demo data is deterministic, follows the VAT rules and reconciles.
@Suite struct DemoDataGeneratorTests {
    static let now = Timestamp(rfc3339: "2026-11-26T15:00:00Z")!
    static func generator(seed: UInt64 = 42, organizations: Int = 4) -> DemoDataGenerator {
        DemoDataGenerator(.init(organizations: organizations, months: 6, auditLogs: 500, days: 35, seed: seed, now: now))
    }

    @Test("the same seed gives the same data; another seed does not")
    func deterministic() {
        let a = Self.generator(), b = Self.generator(), c = Self.generator(seed: 7)
        #expect(a.organizations() == b.organizations())
        #expect(a.auditEntries(organizationIndex: 1, range: 0..<50) == b.auditEntries(organizationIndex: 1, range: 0..<50))
        #expect(a.auditEntries(organizationIndex: 1, range: 10..<20) == Array(a.auditEntries(organizationIndex: 1, range: 0..<50)[10..<20]))
        #expect(a.organizations() != c.organizations())
        let orgs = a.organizations()
        #expect(a.invoicesAndLedger(organization: orgs[0], index: 0, tenants: a.tenants(of: orgs[0], index: 0)).invoices
                == b.invoicesAndLedger(organization: orgs[0], index: 0, tenants: b.tenants(of: orgs[0], index: 0)).invoices)
    }

    @Test("ids are unique across organizations, tenants, invoices and ledger entries (many organizations)")
    func uniqueIDs() {
        let g = Self.generator(organizations: 12)
        var ids: [String] = []
        for (i, org) in g.organizations().enumerated() {
            ids.append(org.id)
            let tenants = g.tenants(of: org, index: i)
            ids += tenants.map(\.id)
            let (invoices, ledger) = g.invoicesAndLedger(organization: org, index: i, tenants: tenants)
            ids += invoices.map(\.id) + ledger.map(\.id)
        }
        #expect(Set(ids).count == ids.count)
    }

    @Test("German and Austrian organizations with umlauts and plausible tax ids")
    func organizations() {
        let orgs = Self.generator().organizations()
        #expect(orgs.map(\.country) == ["DE", "AT", "DE", "AT"])
        #expect(orgs.contains { $0.name.contains("ü") || $0.name.contains("ö") || $0.name.contains("ß") || $0.name.contains("Ö") })
        for org in orgs {
            #expect(org.vatID.hasPrefix(org.country == "DE" ? "DE" : "ATU"))
        }
    }

    @Test("VAT: DE commercial 19 %, DE residential exempt, AT residential 10 %, AT commercial 20 %")
    func vatRules() {
        #expect(DemoDataGenerator.vatBasisPoints(country: "DE", usage: "commercial") == 1900)
        #expect(DemoDataGenerator.vatBasisPoints(country: "DE", usage: "residential") == 0)
        #expect(DemoDataGenerator.vatBasisPoints(country: "AT", usage: "residential") == 1000)
        #expect(DemoDataGenerator.vatBasisPoints(country: "AT", usage: "commercial") == 2000)
        let g = Self.generator()
        for (i, org) in g.organizations().enumerated() {
            let tenants = g.tenants(of: org, index: i)
            let (invoices, _) = g.invoicesAndLedger(organization: org, index: i, tenants: tenants)
            for invoice in invoices {
                let usage = tenants.first { $0.id == invoice.tenantID }!.usage
                let rate = DemoDataGenerator.vatBasisPoints(country: org.country, usage: usage)
                #expect(invoice.vat == invoice.net.percentage(basisPoints: rate))
                #expect(invoice.gross == invoice.net + invoice.vat)
            }
            #expect(invoices.contains { $0.vatRate == (org.country == "DE" ? "19.00" : "10.00") })
        }
    }

    @Test("commercial rounding to the cent", arguments: [(1005, 1900, 191), (1000, 1000, 100), (-1005, 1900, -191), (2, 2500, 1), (1, 2500, 0)])
    func rounding(cents: Int64, basisPoints: Int64, expected: Int64) {
        #expect(Money(cents: cents).percentage(basisPoints: basisPoints).cents == expected)
    }

    @Test("fully paid tenants reconcile to zero; open and partial invoices leave a balance")
    func reconciliation() {
        let g = Self.generator()
        let org = g.organizations()[1]
        let tenants = g.tenants(of: org, index: 1)
        let (invoices, ledger) = g.invoicesAndLedger(organization: org, index: 1, tenants: tenants)
        for tenant in tenants {
            let balance = ledger.filter { $0.tenantID == tenant.id }.reduce(Int64(0)) { $0 + $1.amount.cents }
            let allPaid = invoices.filter { $0.tenantID == tenant.id }.allSatisfy { $0.status == "paid" }
            #expect((balance == 0) == allPaid)
        }
        #expect(invoices.contains { $0.status == "open" })
        #expect(ledger.allSatisfy { $0.bookingDate <= CalendarDate(daysSinceEpoch: Int(Self.now.secondsSinceEpoch / 86_400)) })
    }

    @Test("payloads are canonical JSON: parsing and re-serialising per RFC 8785 gives the same text")
    func canonicalPayloads() throws {
        for entry in Self.generator().auditEntries(organizationIndex: 0, range: 0..<200) {
            let parsed = try JSONDecoder().decode(ParsedJSON.self, from: Data(entry.payload.utf8))
            #expect(parsed.canonical.text == entry.payload)
        }
    }
}

@Suite struct DemoBackupHistoryTests {
    static let history = DemoBackupHistory(now: DemoDataGeneratorTests.now, days: 35, seed: 42)

    @Test("the seed's schedule: daily full 00:30, hourly diffs, Sunday full+check+expire, monthly offsite, weekly restore test")
    func schedule() {
        let events = Self.history.events()
        let outcomes = events.filter { $0.status != .started }
        #expect(events.count == outcomes.count * 2)
        func count(_ type: BackupEventType) -> Int { outcomes.filter { $0.type == type }.count }
        #expect((34...36).contains(count(.backupFull) - count(.check)))
        #expect(count(.backupDiff) > 35 * 22)
        #expect((4...6).contains(count(.check)) && (4...6).contains(count(.expire)) && (4...6).contains(count(.restoreTest)))
        #expect((1...2).contains(count(.offsiteCopy)) && outcomes.filter { $0.type == .offsiteCopy }.allSatisfy { $0.repo == 2 })
        #expect((1...2).contains(count(.drExercise)))
        let dailyFulls = outcomes.filter { $0.type == .backupFull && $0.startedAt!.rfc3339.dropFirst(11).hasPrefix("00:30") }
        #expect(dailyFulls.count >= 34)
    }

    @Test("nothing after now, oldest first, and a few realistic failures")
    func ordering() {
        let events = Self.history.events()
        let now = DemoDataGeneratorTests.now
        #expect(events.allSatisfy { $0.occurredAt! <= now })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt! <= $1.occurredAt! })
        let failures = events.filter { $0.status == .failed }
        #expect(!failures.isEmpty && failures.count < events.count / 20)
        #expect(failures.allSatisfy { ($0.exitCode ?? 0) != 0 && $0.errorMessage?.hasPrefix("ERROR:") == true })
        let succeededDiffs = events.filter { $0.type == .backupDiff && $0.status == .succeeded }
        #expect(succeededDiffs.allSatisfy { $0.label?.hasSuffix("D") == true && $0.label?.contains("F_") == true })
    }

    /// Issue 12, item 10: the history ended at the last full hour, so at hh:59 the newest diff
    /// was almost two hours old and the dashboard showed a violation.
    @Test("at every minute of an hour, the newest diff is within its 75-minute threshold and nothing recent failed")
    func freshAtEveryMinute() {
        let base = Timestamp(rfc3339: "2026-11-26T15:00:00Z")!
        for minute in stride(from: 0, to: 60, by: 3) {
            let now = base.adding(seconds: Int64(minute * 60 + 17))
            let events = DemoBackupHistory(now: now, days: 2, seed: 42).events()
            let newestDiff = events.filter { $0.type == .backupDiff && $0.status == .succeeded }.compactMap(\.occurredAt).max()!
            #expect(newestDiff <= now && now.secondsSinceEpoch - newestDiff.secondsSinceEpoch <= 75 * 60, "minute \(minute)")
            #expect(!events.contains { $0.status == .failed && $0.occurredAt! > now.adding(seconds: -3 * 3600) }, "minute \(minute)")
        }
    }

    @Test("there is always a failed full backup to find (the demo's curl line for it returns data)")
    func plantedFailure() {
        for seed in [UInt64(1), 42, 99] {
            let events = DemoBackupHistory(now: DemoDataGeneratorTests.now, days: 35, seed: seed).events()
            let failedFulls = events.filter { $0.type == .backupFull && $0.status == .failed }
            #expect(failedFulls.contains { $0.exitCode == 50 && $0.startedAt! > DemoDataGeneratorTests.now.adding(seconds: -4 * 86_400) })
        }
    }

    @Test func deterministic() {
        #expect(Self.history.events() == DemoBackupHistory(now: DemoDataGeneratorTests.now, days: 35, seed: 42).events())
    }
}

/// A JSON value as parsed by Foundation, for re-serialising canonically in tests.
struct ParsedJSON: Decodable {
    let canonical: CanonicalJSON

    init(from decoder: Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [CanonicalJSON] = []
            while !array.isAtEnd { items.append(try array.decode(ParsedJSON.self).canonical) }
            canonical = .array(items)
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: CanonicalJSON] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(ParsedJSON.self, forKey: key).canonical }
            canonical = .object(members)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { canonical = .null }
            else if let b = try? single.decode(Bool.self) { canonical = .bool(b) }
            else if let i = try? single.decode(Int64.self) { canonical = .integer(i) }
            else { canonical = .string(try single.decode(String.self)) }
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
