import Archive
import Chronology
import ComplianceTesting
import Crypto
import DemoData
import Export
import Foundation
import Postgres

/// A database with demo data (2 organizations, DE and AT, 4 months, 3,000 audit entries) and
/// values that must round-trip (umlauts, €, –, quotes, semicolons), the package builder over
/// it, and helpers to take a package apart and put it back together changed.
struct PackageFixture {
    static let key = try! Ed25519PrivateKey(seed: Array(repeating: 7, count: 32))
    static let now = Timestamp(year: 2026, month: 11, day: 30, hour: 12)!
    static let tricky = "Müller & Söhne; \"Haus A\" – 5 € <b>"

    let database: TestDatabase
    let pool: ConnectionPool
    let organizations: [(id: String, country: String)]

    static func make(_ label: String) async throws -> PackageFixture {
        let database = try await TestEnvironment.shared.database(label)
        let pool = database.pool(size: 3, statementTimeout: .seconds(120))
        let generator = DemoDataGenerator(.init(organizations: 2, months: 4, auditLogs: 3_000, days: 10, seed: 11, tenantsPerOrganization: 6, now: now))
        _ = try await DemoDataLoader(generator: generator).load(into: pool)
        let orgs = try await pool.query("SELECT id::text AS id, country FROM organizations ORDER BY country DESC, id")
            .map { (try $0.decode(String.self, "id"), try $0.decode(String.self, "country")) }
        // Values that must survive the CSV conventions (§6 item 8).
        _ = try await pool.execute("UPDATE tenants SET name = \(tricky) WHERE id = (SELECT min(id::text)::uuid FROM tenants WHERE organization_id = \(orgs[0].0)::uuid)")
        _ = try await pool.execute("""
            UPDATE ledger_entries SET description = \(tricky + "\r\nzweite Zeile")
            WHERE id = (SELECT min(id::text)::uuid FROM ledger_entries WHERE organization_id = \(orgs[0].0)::uuid AND booking_date >= '2026-10-01')
            """)
        try await backdatedChain(pool)
        return PackageFixture(database: database, pool: pool, organizations: orgs)
    }

    /// An organization whose audit chain began before the test ran: 300 entries every four hours
    /// from 20 August 2026 (to 9 October), written as the trigger would (audit_entry_hash) with
    /// the triggers off — so a period cuts the chain in the middle. Payloads hold `;`, `"`, `–`, `€`.
    static let anker = "a0000000-0000-4000-8000-0000000000a1"

    static func backdatedChain(_ pool: ConnectionPool) async throws {
        try await pool.withConnection { c in
            _ = try await c.execute("INSERT INTO organizations (id, name, country, tax_number, vat_id) VALUES (\(anker)::uuid, 'Anker Hausverwaltung GmbH', 'DE', '21/815/08150', 'DE123456789')")
            try await c.executeScript("""
                SET session_replication_role = replica;
                DO $$
                DECLARE
                    org constant uuid := '\(anker)';
                    prev bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
                    h bytea; ts timestamptz; body text; entity_id text;
                BEGIN
                    FOR i IN 1..300 LOOP
                        ts := timestamptz '2026-08-20 08:00:00+00' + i * interval '4 hours' + i * interval '37 microseconds';
                        body := '{"amount":"' || i || '.00","text":"Miete; Top 3 – Größe \\"A\\" €"}';
                        entity_id := md5(i::text)::uuid::text;
                        h := audit_entry_hash(prev, org, i, ts, 'user:42', 'insert', 'ledger_entries', entity_id, body);
                        INSERT INTO audit_logs (organization_id, seq, occurred_at, actor, action, entity, entity_id, payload, prev_hash, hash)
                            VALUES (org, i, ts, 'user:42', 'insert', 'ledger_entries', entity_id, body, prev, h);
                        prev := h;
                    END LOOP;
                    INSERT INTO audit_chain_head (organization_id, last_seq, last_hash) VALUES (org, 300, prev);
                END
                $$;
                SET session_replication_role = origin;
                """)
        }
    }

    func builder(scratch: String = NSTemporaryDirectory()) -> PackageBuilder {
        PackageBuilder(pool: pool, key: Self.key, generator: "immoflow-compliance test", scratch: scratch)
    }

    func request(_ organization: String, from: String = "2026-09-01", to: String = "2026-11-30", id: String = "0b5e0000-0000-4000-8000-000000000001") -> ExportRequest {
        ExportRequest(exportID: id, organizationID: organization, from: CalendarDate(iso: from)!, to: CalendarDate(iso: to)!, profile: nil, createdAt: Self.now)
    }

    func build(_ request: ExportRequest) async throws -> (bytes: [UInt8], package: BuiltPackage) {
        let collected = Collected()
        let package = try await builder().build(request) { collected.append($0) }
        return (collected.bytes, package)
    }

    final class Collected: @unchecked Sendable {
        // @unchecked Sendable: the builder's sink is called from one task at a time.
        var bytes: [UInt8] = []
        func append(_ b: [UInt8]) { bytes += b }
    }

    /// The members of a package, in order.
    static func members(_ package: [UInt8]) throws -> [(name: String, bytes: [UInt8])] {
        var gzip = try GzipDecoder()
        var tar = TarReader()
        var out: [(String, [UInt8])] = []
        try package.withUnsafeBytes { raw in
            try gzip.decompress(raw) { plain in
                try tar.feed(plain) { event in
                    switch event {
                    case .begin(let name, _): out.append((name, []))
                    case .data(let b): out[out.count - 1].1 += b
                    case .end: break
                    }
                }
            }
        }
        try gzip.finish()
        try tar.finish()
        return out
    }

    /// A package of `members`, as our writer makes one.
    static func pack(_ members: [(name: String, bytes: [UInt8])]) throws -> [UInt8] {
        var out: [UInt8] = []
        var writer = try TarGzipWriter(modified: now.secondsSinceEpoch) { out += $0 }
        for m in members { _ = try writer.add(name: m.name, bytes: m.bytes) }
        _ = try writer.finish()
        return out
    }

    static func verify(_ package: [UInt8], pinned: Ed25519PublicKey? = nil) throws -> PackageReport {
        let verifier = try PackageVerifier(pinned: pinned)
        // In odd pieces: the verifier must not depend on where reads end.
        var at = 0
        while at < package.count {
            let n = min(package.count - at, 7_777)
            package.withUnsafeBytes { verifier.feed(UnsafeRawBufferPointer(rebasing: $0[at..<(at + n)])) }
            at += n
        }
        return verifier.finish()
    }
}

extension PackageFixture {
    /// The stored hash of an entry of the backdated chain.
    static func hash(_ fixture: PackageFixture, seq: Int64) async throws -> [UInt8] {
        try await fixture.pool.query("SELECT hash FROM audit_logs WHERE organization_id = \(anker)::uuid AND seq = \(seq)").single()
            .decode(PostgresBytes.self, at: 0).bytes
    }
}
