import Foundation
import Glibc

/// A real pgBackRest stanza for tests (docs/pgbackrest.md §2): a PostgreSQL cluster whose
/// `archive_command` pushes to an AES-256-CBC encrypted posix repository, everything owned by
/// the `postgres` OS user. The configuration file carries the cipher pass (mode 0600), so
/// `archive_command` and `runuser` need nothing from the environment; a test overrides the pass
/// with `PGBACKREST_REPO1_CIPHER_PASS` (the environment beats the file) to provoke a wrong one.
public final class PgBackRestFixture: @unchecked Sendable {
    // @unchecked Sendable: immutable after init.
    public let cluster: TestCluster
    public let directory: String
    public let stanza = "demo"
    public var configPath: String { directory + "/pgbackrest.conf" }
    public var lockDirectory: String { directory + "/lock" }
    public var repoDirectory: String { directory + "/repo" }

    /// Starts the cluster with archiving and creates nothing else (the test runs stanza-create
    /// through the wrapper). Fails with a clear message when pgbackrest is not installed.
    public static func start() async throws -> PgBackRestFixture {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbackrest") else {
            throw HarnessError("pgbackrest is not installed (apt-get install pgbackrest; tools/test.sh installs it)")
        }
        guard geteuid() == 0 else { throw HarnessError("the pgBackRest tests run as root (they switch to the postgres user)") }
        let template = "/tmp/immoflow-pgbr-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for sub in ["repo", "log", "lock", "spool"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
        }
        let config = directory + "/pgbackrest.conf"
        let command = "pgbackrest --config=\(config) --stanza=demo archive-push %p"
        let cluster = try await TestCluster.start(settings: [
            "wal_level": "replica", "archive_mode": "on", "archive_command": "'\(command)'", "archive_timeout": "0",
            // pgBackRest's backups need torn-page protection on: the test cluster turns it off for speed.
            "full_page_writes": "on",
        ])
        let pass = (0..<48).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".randomElement()! }
        let text = """
            [global]
            repo1-type=posix
            repo1-path=\(directory)/repo
            repo1-cipher-type=aes-256-cbc
            repo1-cipher-pass=\(String(pass))
            repo1-retention-full=2
            compress-type=zst
            compress-level=3
            log-path=\(directory)/log
            lock-path=\(directory)/lock
            spool-path=\(directory)/spool
            log-level-console=info
            log-level-file=info
            start-fast=y
            archive-timeout=30

            [demo]
            pg1-path=\(cluster.dataDirectory)
            pg1-port=\(cluster.port)
            pg1-socket-path=\(cluster.directory)

            """
        guard FileManager.default.createFile(atPath: config, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw HarnessError("cannot write \(config)")
        }
        let chown = try await Blocking.run { try ProcessRunner.run(["/bin/chown", "-R", "postgres:postgres", directory]) }
        guard chown.status == 0 else { throw HarnessError("chown \(directory) failed: \(chown.stderr)") }
        _ = chmod(directory, 0o700)
        let fixture = PgBackRestFixture(cluster: cluster, directory: directory)
        PgBackRestFixtureRegistry.register(fixture)
        return fixture
    }

    private init(cluster: TestCluster, directory: String) {
        self.cluster = cluster
        self.directory = directory
    }

    /// `runuser -u postgres -- pgbackrest --config=… --stanza=demo <arguments…>`.
    public func command(_ arguments: [String]) -> [String] {
        ["runuser", "-u", "postgres", "--", "/usr/bin/pgbackrest", "--config=\(configPath)", "--stanza=\(stanza)"] + arguments
    }

    /// `pgbackrest info --output=json` as bytes (exit code checked).
    public func infoJSON() async throws -> String {
        let command = self.command(["--output=json", "--log-level-console=off", "info"])
        let outcome = try await Blocking.run { try ProcessRunner.run(command) }
        guard outcome.status == 0 else { throw HarnessError("pgbackrest info failed: \(outcome.stderr)") }
        return outcome.stdout
    }

    /// Stops the cluster and removes the repository.
    public func stop() {
        cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Removes fixtures at process exit (the cluster has its own watcher).
enum PgBackRestFixtureRegistry {
    nonisolated(unsafe) static var directories: [String] = []
    static let lock = NSLock()

    static func register(_ fixture: PgBackRestFixture) {
        lock.lock()
        defer { lock.unlock() }
        if directories.isEmpty {
            atexit {
                PgBackRestFixtureRegistry.lock.lock()
                let all = PgBackRestFixtureRegistry.directories
                PgBackRestFixtureRegistry.lock.unlock()
                for d in all { try? FileManager.default.removeItem(atPath: d) }
            }
        }
        directories.append(fixture.directory)
    }
}
