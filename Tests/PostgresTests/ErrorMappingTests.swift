import ComplianceTesting
import Postgres
import Testing

/// SQLSTATEs map to stable categories (PostgreSQL manual, Appendix A), both as a table and as
/// real server errors.
@Suite struct ErrorMappingTests {
    @Test("SQLSTATE to category", arguments: [
        ("23505", PostgresError.Category.conflict), ("23P01", .conflict), ("40001", .retryable),
        ("40P01", .retryable), ("55P03", .retryable), ("42501", .permissionDenied), ("28P01", .permissionDenied),
        ("57014", .timeout), ("57P01", .unavailable), ("08006", .unavailable), ("53300", .unavailable),
        ("22012", .invalidInput), ("22P02", .invalidInput), ("23502", .invalidInput), ("23503", .invalidInput),
        ("23514", .invalidInput), ("42601", .programming), ("42P01", .programming), ("XX000", .other),
    ])
    func table(state: String, category: PostgresError.Category) {
        #expect(PostgresError.category(forSQLState: state) == category)
    }

    @Test("real server errors carry SQLSTATE, message, detail and hint", arguments: [
        ("CREATE TEMP TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1); INSERT INTO u VALUES (1)", "23505", PostgresError.Category.conflict),
        ("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'serialization_failure'; END $$", "40001", .retryable),
        ("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'deadlock_detected'; END $$", "40P01", .retryable),
        ("SELECT 1/0", "22012", .invalidInput),
        ("SELECT 'x'::int", "22P02", .invalidInput),
        ("SELEC 1", "42601", .programming),
        ("SELECT * FROM no_such_table", "42P01", .programming),
        ("CREATE TEMP TABLE c (n int CHECK (n > 0)); INSERT INTO c VALUES (0)", "23514", .invalidInput),
        ("CREATE TEMP TABLE nn (n int NOT NULL); INSERT INTO nn VALUES (NULL)", "23502", .invalidInput),
        ("SET ROLE immoflow_app; SELECT * FROM audit_chain_head", "42501", .permissionDenied),
    ])
    func serverErrors(sql: String, state: String, category: PostgresError.Category) async throws {
        let pool = try await TestEnvironment.shared.database("errors").pool(size: 1)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try await $0.executeScript(sql) }
        }
        #expect(error?.code == .server)
        #expect(error?.sqlState == state)
        #expect(error?.category == category)
        #expect(error?.message.isEmpty == false)
        // the connection is still usable (and RESET ROLE by the reset-on-release is not needed:
        // a failed script leaves no transaction open)
        #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
    }

    @Test("unique violations name the constraint and carry the detail")
    func detail() async throws {
        let pool = try await TestEnvironment.shared.database("errors").pool(size: 1)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { c in
                try await c.executeScript("CREATE TEMP TABLE d (k text CONSTRAINT d_k UNIQUE)")
                try await c.execute("INSERT INTO d VALUES (\("Größe"))")
                try await c.execute("INSERT INTO d VALUES (\("Größe"))")
            }
        }
        #expect(error?.constraint == "d_k")
        #expect(error?.detail?.contains("Größe") == true)
        #expect(error?.description.hasPrefix("server: duplicate key value violates unique constraint \"d_k\" (SQLSTATE 23505)") == true)
    }

    @Test("the password of a URL is redacted", arguments: [
        ("postgresql://user:s3cret@host:5432/db", "postgresql://user:<redacted>@host:5432/db"),
        ("postgresql://user@host/db?password=s3cret&sslmode=disable", "postgresql://user@host/db?password=<redacted>&sslmode=disable"),
        ("host=h user=u password=s3cret dbname=d", "host=h user=u password=<redacted> dbname=d"),
        ("postgresql://host/db", "postgresql://host/db"),
        ("postgresql://u:p%40ss@host/db", "postgresql://u:<redacted>@host/db"),
    ])
    func redaction(url: String, expected: String) {
        #expect(ConnectionConfiguration.redact(url) == expected)
    }
}
