import ArgumentParser
import Chronology
import DisasterRecovery
import Foundation

/// The options `dr restore-test` and `dr exercise` share: which backup, where the scratch cluster
/// goes, which database is checked, where PostgreSQL and pgBackRest's configuration are.
struct ScratchRestoreOptions: ParsableArguments {
    @Option(help: "The pgBackRest stanza.") var stanza: String
    @Option(help: "The repository (default: pgBackRest's choice).") var repo: Int?
    @Option(help: "Where the scratch directory is made.") var scratch: String = "/var/tmp"
    @Option(help: "The scratch cluster's port (its socket is in the scratch directory; no TCP).") var port: Int = 5432
    @Option(name: .customLong("database"), help: "The database to check in the restored cluster.") var checkedDatabase: String = "immoflow"
    @Option(name: .customLong("pg-bin"), help: "PostgreSQL's bin directory (default $PG_BIN or /usr/lib/postgresql/15/bin).") var pgBin: String?
    @Option(name: .customLong("pgbackrest-config"), help: "pgBackRest's configuration file (default: its own default).") var pgbackrestConfig: String?
    @Option(name: .customLong("public-key"), help: "A PEM public key checkpoints may be signed with (repeatable).") var publicKeyFiles: [String] = []
    @Option(name: .customLong("migrations-dir"), help: "The migrations this build ships (default: found beside the binary).") var migrationsDir: String?

    func validate() throws {
        if let repo, !(1...256).contains(repo) { throw ValidationError("--repo must be 1…256") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
    }

    /// The restore test's options, with the backup set or target chosen by the command.
    func options(set: String?, targetTime: Timestamp?, keep: Bool) -> RestoreTest.Options {
        RestoreTest.Options(stanza: stanza, repo: repo, set: set, targetTime: targetTime, scratch: scratch, port: port, keep: keep, database: checkedDatabase,
                            pgBin: pgBin ?? ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin",
                            pgbackrest: ["/usr/bin/pgbackrest"] + (pgbackrestConfig.map { ["--config=\($0)"] } ?? []))
    }
}
