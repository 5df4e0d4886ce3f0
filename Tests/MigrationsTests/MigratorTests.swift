import ComplianceTesting
import Foundation
import Migrations
import Postgres
import Testing

/// `migrate` against live databases, through the library and through the real binary.
@Suite struct MigratorTests {
    static var catalog: MigrationCatalog {
        get throws { try MigrationCatalog.load(directory: TestEnvironment.migrationsDirectory) }
    }

    static func tableCount(_ pool: ConnectionPool) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'").single().decode(Int.self, "n")
    }

    @Test("fresh database: every file applied once; a second run is a no-op")
    func freshThenNoOp() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("fresh")
        let pool = db.pool(size: 1)
        let catalog = try Self.catalog
        let first = try await Migrator(catalog: catalog).migrate(pool)
        #expect(first.applied == catalog.files.map(\.fileName))
        let tables = try await Self.tableCount(pool)
        let second = try await Migrator(catalog: catalog).migrate(pool)
        #expect(second.applied.isEmpty && second.alreadyApplied == catalog.files.count)
        #expect(try await Self.tableCount(pool) == tables)
        let recorded = try await pool.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        #expect(try recorded.map { try $0.decode(String.self, "checksum") } == catalog.files.map(\.checksum))
        await pool.close()
    }

    @Test("four concurrent runs apply each file exactly once")
    func concurrentRuns() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("concurrent")
        let catalog = try Self.catalog
        let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let pool = db.pool(size: 1)
                    let report = try await Migrator(catalog: catalog).migrate(pool)
                    await pool.close()
                    return report
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.flatMap(\.applied).sorted() == catalog.files.map(\.fileName).sorted())
        let pool = db.pool(size: 1)
        #expect(try await pool.query("SELECT count(*) AS n FROM schema_migrations").single().decode(Int.self, "n") == catalog.files.count)
        await pool.close()
    }

    @Test("an edited applied file is refused by the binary with exit code 1 and one line")
    func editedFileRefused() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("edited")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: TestEnvironment.migrationsDirectory, toPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ok = try await TestBinary.run(["migrate", "--migrations-dir", directory, "--database-url", db.url])
        #expect(ok.status == 0, "\(ok.stderr)")
        let path = directory + "/0001_core.sql"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "\n-- an innocent-looking edit\n").write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try await TestBinary.run(["migrate", "--migrations-dir", directory, "--database-url", db.url])
        #expect(refused.status == 1)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(refused.stderr.contains("migration '0001_core.sql' was changed after it was applied"))
    }

    @Test("a failing migration is rolled back entirely and not recorded")
    func failingMigrationRollsBack() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("failing")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: TestEnvironment.migrationsDirectory, toPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "CREATE TABLE half_done (id int);\nSELECT 1/0;\n".write(toFile: directory + "/9000_broken.sql", atomically: true, encoding: .utf8)
        let outcome = try await TestBinary.run(["migrate", "--migrations-dir", directory, "--database-url", db.url])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("migration '9000_broken.sql' failed and was rolled back"))
        let pool = db.pool(size: 1)
        #expect(try await pool.query("SELECT to_regclass('half_done') IS NULL AS gone").single().decode(Bool.self, "gone"))
        // every shipped migration applied, the broken one not recorded
        let shipped = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.migrationsDirectory).filter { $0.hasSuffix(".sql") }
        let newest = try #require(shipped.compactMap { Int($0.prefix(4)) }.max())
        #expect(try await pool.query("SELECT max(version) AS v FROM schema_migrations").single().decode(Int.self, "v") == newest)
        await pool.close()
    }

    @Test("existing application tables with rows are kept; a legacy audit_logs is preserved")
    func existingTablesKept() async throws {
        let db = try await TestEnvironment.shared.emptyDatabase("existing")
        let pool = db.pool(size: 1)
        try await pool.withConnection { c in
            try await c.executeScript("""
                CREATE TABLE organizations (id uuid PRIMARY KEY, name text NOT NULL);
                INSERT INTO organizations VALUES ('11111111-1111-4111-8111-111111111111', 'Altbestand Müller');
                CREATE TABLE tenants (id uuid PRIMARY KEY, organization_id uuid, name text);
                INSERT INTO tenants VALUES ('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111', 'Jörg');
                CREATE TABLE monthly_invoices (id uuid PRIMARY KEY, organization_id uuid, tenant_id uuid, invoice_number text,
                    period date, issued_at timestamptz, net_amount numeric(12,2), vat_rate numeric(5,2),
                    vat_amount numeric(12,2), gross_amount numeric(12,2), status text);
                INSERT INTO monthly_invoices VALUES ('33333333-3333-4333-8333-333333333333', '11111111-1111-4111-8111-111111111111',
                    '22222222-2222-4222-8222-222222222222', 'RE-1', '2026-01-01', now(), 100, 19, 19, 119, 'open');
                CREATE TABLE ledger_entries (id uuid PRIMARY KEY, organization_id uuid, tenant_id uuid, booking_date date,
                    account text, amount numeric(12,2), description text);
                INSERT INTO ledger_entries VALUES ('44444444-4444-4444-8444-444444444444', '11111111-1111-4111-8111-111111111111',
                    '22222222-2222-4222-8222-222222222222', '2026-01-01', '4105', 119, 'Miete');
                CREATE TABLE audit_logs (id serial PRIMARY KEY, action text, hash text);
                INSERT INTO audit_logs (action, hash) VALUES ('old-1', 'x'), ('old-2', NULL);
                """)
        }
        _ = try await Migrator(catalog: try Self.catalog).migrate(pool)
        let counts = try await pool.query("""
            SELECT (SELECT count(*) FROM organizations) AS o, (SELECT count(*) FROM tenants) AS t,
                   (SELECT count(*) FROM monthly_invoices) AS i, (SELECT count(*) FROM ledger_entries) AS l,
                   (SELECT count(*) FROM audit_logs_legacy) AS legacy, (SELECT count(*) FROM audit_logs) AS chained,
                   (SELECT name FROM organizations) AS name
            """).single()
        #expect(try counts.decode(Int.self, "o") == 1)
        #expect(try counts.decode(Int.self, "t") == 1)
        #expect(try counts.decode(Int.self, "i") == 1)
        #expect(try counts.decode(Int.self, "l") == 1)
        #expect(try counts.decode(Int.self, "legacy") == 2)
        #expect(try counts.decode(Int.self, "chained") == 0)
        #expect(try counts.decode(String.self, "name") == "Altbestand Müller")
        // the new chain works on the kept organization
        try await pool.execute("""
            INSERT INTO audit_logs (organization_id, actor, action, entity, payload)
            VALUES ('11111111-1111-4111-8111-111111111111', 'migration-test', 'check', 'organizations', '{}')
            """)
        #expect(try await pool.query("SELECT seq FROM audit_logs").single().decode(Int.self, "seq") == 1)
        await pool.close()
    }

    @Test("bad input: unreachable URL, missing URL, missing permission — one line, non-zero exit, no password, no partial schema")
    func badInput() async throws {
        let unreachable = try await TestBinary.run(["migrate", "--database-url", "postgresql://app:hunter2@127.0.0.1:1/x", "--connect-timeout", "2"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.split(separator: "\n").count == 1)
        #expect(unreachable.stderr.contains("cannot connect to the database"))
        #expect(!unreachable.stderr.contains("hunter2"))

        let missing = try await TestBinary.run(["migrate"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("DATABASE_URL"))

        let badFlag = try await TestBinary.run(["migrate", "--frobnicate"])
        #expect(badFlag.status == 64)
        #expect(badFlag.stderr.split(separator: "\n").count == 1)

        // a login role that may connect but not create anything in the public schema
        let db = try await TestEnvironment.shared.emptyDatabase("noperm")
        let role = "weak_\(UInt32.random(in: 0...UInt32.max))"
        let admin = db.pool(size: 1)
        try await admin.withConnection { try await $0.executeScript("CREATE ROLE \(role) LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC") }
        var components = URLComponents(string: db.url)!
        components.user = role
        let denied = try await TestBinary.run(["migrate", "--database-url", components.string!])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("permission denied"), "\(denied.stderr)")
        #expect(denied.stderr.split(separator: "\n").count == 1)
        #expect(try await Self.tableCount(admin) == 0)
        await admin.close()
    }
}
