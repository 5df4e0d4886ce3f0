import ArgumentParser
import Foundation
import Migrations
import Postgres

/// `immoflow-compliance migrate`: applies pending `migrations/NNNN_name.sql` files.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (each in its own transaction, under an advisory lock).")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Directory with NNNN_name.sql files (default: the installed or checked-out migrations/).")
    var migrationsDir: String?

    func run() async throws {
        let directory = MigrationCatalog.locate(explicit: migrationsDir)
        let catalog: MigrationCatalog
        do {
            catalog = try MigrationCatalog.load(directory: directory)
        } catch {
            throw CommandFailure("migrate", error)
        }
        let (pool, url) = try database.pool(size: 1, statementTimeout: .seconds(3600))
        do {
            let report = try await Migrator(catalog: catalog).migrate(pool)
            await pool.close()
            if report.applied.isEmpty {
                FileHandle.standardError.write(Data("migrate: up to date (\(report.alreadyApplied) migrations applied)\n".utf8))
            } else {
                for name in report.applied {
                    FileHandle.standardError.write(Data("migrate: applied \(name)\n".utf8))
                }
            }
        } catch {
            await pool.close()
            throw CommandFailure("migrate", error, databaseURL: url)
        }
    }
}
