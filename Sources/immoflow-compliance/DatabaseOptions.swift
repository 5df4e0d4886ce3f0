import ArgumentParser
import Foundation
import Postgres

/// `--database-url` (default: `DATABASE_URL`), shared by every command that needs the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("libpq URI or connection string (default: $DATABASE_URL).", valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: "Seconds to wait for a connection (libpq connect_timeout, minimum 2).")
    var connectTimeout: Int = 10

    /// The URL to use, or a usage failure naming what is missing.
    func resolvedURL() throws -> String {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let env = ProcessInfo.processInfo.environment["DATABASE_URL"], !env.isEmpty { return env }
        throw CommandFailure("no database given: set DATABASE_URL or pass --database-url", exitCode: 64)
    }

    /// A pool for a CLI command.
    func pool(size: Int = 2, statementTimeout: Duration = .seconds(300)) throws -> (ConnectionPool, String) {
        let url = try resolvedURL()
        let configuration = ConnectionConfiguration(url: url, connectTimeoutSeconds: connectTimeout,
                                                    applicationName: "immoflow-compliance-cli",
                                                    statementTimeout: statementTimeout)
        return (ConnectionPool(configuration: configuration, size: size, checkoutTimeout: .seconds(Int64(connectTimeout) + 30)), url)
    }
}
