import Testing
import Postgres
import ComplianceTesting

@Test func smoke() async throws {
    let db = try await TestEnvironment.shared.migratedDatabase("smoke")
    let pool = db.pool()
    let rows = try await pool.query("SELECT 1::int AS one, \("x") AS s, count(*) AS n FROM schema_migrations")
    #expect(try rows[0].decode(Int.self, "one") == 1)
    #expect(try rows[0].decode(Int.self, "n") == 3)
    await pool.close()
}
