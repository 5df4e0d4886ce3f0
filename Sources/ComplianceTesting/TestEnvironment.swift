import Foundation
import Migrations
import Postgres

/// The shared database server of one test run, and fresh databases on it.
///
/// The server is `TEST_DATABASE_URL` when set (any PostgreSQL 15+ the tests may create databases
/// on), otherwise one throwaway cluster started on first use and stopped when the process exits.
/// Each test suite gets its own database, copied from a template migrated once per run.
public actor TestEnvironment {
    public static let shared = TestEnvironment()

    private var adminURL: String?
    private var cluster: TestCluster?
    private var counter = 0
    // Tasks, not values: the actor is re-entrant across awaits, so two suites asking at once
    // must share one creation instead of racing to create the same database.
    private var shared: [String: Task<TestDatabase, any Error>] = [:]
    private var template: Task<String, any Error>?
    private let runID = String(UInt32(truncatingIfNeeded: getpid()), radix: 36)

    /// The URL of the server's `postgres` database (superuser).
    public func serverURL() async throws -> String {
        if let adminURL { return adminURL }
        if let starting = clusterStart { return try await starting.value }
        let task = Task { () throws -> String in
            if let external = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !external.isEmpty {
                return external
            }
            let started = try await TestCluster.start()
            self.keep(started)
            return started.url()
        }
        clusterStart = task
        let url = try await task.value
        adminURL = url
        return url
    }

    private var clusterStart: Task<String, any Error>?

    private func keep(_ started: TestCluster) { cluster = started }

    /// One database per label for the whole run (a suite's tests share it; swift-testing makes a
    /// new suite instance per test, so per-instance databases would be wasteful).
    public func database(_ label: String, migrated: Bool = true) async throws -> TestDatabase {
        let key = "\(label)|\(migrated)"
        if let existing = shared[key] { return try await existing.value }
        let task = Task { migrated ? try await self.migratedDatabase(label) : try await self.emptyDatabase(label) }
        shared[key] = task
        return try await task.value
    }

    /// A new, empty database (no migrations).
    public func emptyDatabase(_ label: String) async throws -> TestDatabase {
        let name = nextName(label)
        try await admin("CREATE DATABASE \(name)", database: nil)
        return TestDatabase(name: name, url: try await url(for: name))
    }

    /// A new database with every migration applied (copied from the run's template).
    public func migratedDatabase(_ label: String) async throws -> TestDatabase {
        let template = try await migratedTemplate()
        let name = nextName(label)
        try await admin("CREATE DATABASE \(name) TEMPLATE \(template)", database: nil)
        return TestDatabase(name: name, url: try await url(for: name))
    }

    /// The directory holding this checkout's `migrations/`.
    public nonisolated static var migrationsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations").path
    }

    private func migratedTemplate() async throws -> String {
        if let template { return try await template.value }
        let task = Task { try await self.createTemplate() }
        template = task
        return try await task.value
    }

    private func createTemplate() async throws -> String {
        let name = "immoflow_template_\(runID)"
        try await ensureAppRole()
        try await admin("CREATE DATABASE \(name)", database: nil)
        let pool = ConnectionPool(configuration: .init(url: try await url(for: name)), size: 1)
        do {
            let catalog = try MigrationCatalog.load(directory: Self.migrationsDirectory)
            _ = try await Migrator(catalog: catalog).migrate(pool)
        } catch {
            await pool.close()
            throw HarnessError("migrating the test template failed: \(error)")
        }
        await pool.close()
        return name
    }

    /// The application role the migrations grant to (see 0002/0003), for privilege tests.
    private func ensureAppRole() async throws {
        try await admin("""
            DO $$ BEGIN
                CREATE ROLE immoflow_app NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """, database: nil)
    }

    private func nextName(_ label: String) -> String {
        counter += 1
        let clean = label.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" }
        return "t_\(runID)_\(counter)_\(String(clean.prefix(30)))"
    }

    private func url(for database: String) async throws -> String {
        let base = try await serverURL()
        return TestDatabase.replacingDatabase(in: base, with: database)
    }

    /// Runs an administrative statement (database names are generated here, never input).
    private func admin(_ sql: String, database: String?) async throws {
        let target: String
        if let database { target = try await url(for: database) } else { target = try await serverURL() }
        let pool = ConnectionPool(configuration: .init(url: target), size: 1)
        do {
            try await pool.withConnection { try await $0.executeScript(sql) }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}

/// One test database.
public struct TestDatabase: Sendable {
    public let name: String
    public let url: String

    /// A pool on this database.
    public func pool(size: Int = 4, statementTimeout: Duration = .seconds(30)) -> ConnectionPool {
        ConnectionPool(configuration: .init(url: url, statementTimeout: statementTimeout), size: size)
    }

    /// Replaces the path (database) of a `postgresql://` URL, keeping the query string.
    static func replacingDatabase(in url: String, with database: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + " dbname=\(database)" }
        let afterScheme = url[scheme.upperBound...]
        let queryStart = afterScheme.firstIndex(of: "?") ?? afterScheme.endIndex
        let authorityEnd = afterScheme[..<queryStart].firstIndex(of: "/") ?? queryStart
        return String(url[..<authorityEnd]) + "/" + database + String(url[queryStart...])
    }
}
