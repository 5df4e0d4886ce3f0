import Postgres

/// Applies pending migrations: each in its own transaction, recorded in `schema_migrations` with
/// its checksum, under a session advisory lock so that concurrent runs apply each file once.
public struct Migrator: Sendable {
    /// The advisory lock key (`pg_advisory_lock(bigint)`): ASCII "IMFLMIGR".
    static let lockKey: Int64 = 0x494D_464C_4D49_4752

    public let catalog: MigrationCatalog
    /// How long one migration file may run.
    public var statementTimeout: Duration = .seconds(3600)
    /// How long to wait for another run's lock.
    public var lockTimeout: Duration = .seconds(300)

    public init(catalog: MigrationCatalog) { self.catalog = catalog }

    /// What happened in one run.
    public struct Report: Sendable, Equatable {
        public var applied: [String] = []
        public var alreadyApplied = 0
    }

    /// Brings the database up to date; throws `MigrationError` or `PostgresError`.
    public func migrate(_ pool: ConnectionPool) async throws -> Report {
        try await pool.withConnection { connection in
            do {
                try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))", timeout: lockTimeout)
            } catch let error as PostgresError where error.code == .timeout {
                throw MigrationError(.locked, "schema_migrations", reason: "waited \(lockTimeout)")
            }
            do {
                let report = try await migrateLocked(connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return report
            } catch {
                // The connection may be mid-transaction; the pool's release rolls back, and the
                // lock is released explicitly here (or by the session ending).
                _ = try? await connection.execute("ROLLBACK")
                _ = try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func migrateLocked(_ connection: PooledConnection) async throws -> Report {
        try await connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms integer NOT NULL DEFAULT 0
            )
            """)
        let rows = try await connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        var applied: [MigrationPlan.Applied] = []
        for row in rows {
            applied.append(.init(version: try row.decode(Int.self, "version"), checksum: try row.decode(String.self, "checksum")))
        }
        let plan = try MigrationPlan(applied: applied, catalog: catalog)
        var report = Report(alreadyApplied: applied.count)
        for file in plan.pending {
            let started = ContinuousClock.now
            try await connection.execute("BEGIN")
            do {
                try await connection.executeScript(file.sql, timeout: statementTimeout)
            } catch {
                _ = try? await connection.execute("ROLLBACK")
                throw MigrationError(.failed, file.fileName, reason: error.description)
            }
            let elapsed = ContinuousClock.now - started
            let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            try await connection.execute("""
                INSERT INTO schema_migrations (version, name, checksum, duration_ms)
                VALUES (\(file.version), \(file.name), \(file.checksum), \(milliseconds))
                """)
            try await connection.execute("COMMIT")
            report.applied.append(file.fileName)
        }
        return report
    }
}
