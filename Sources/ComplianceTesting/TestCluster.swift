import Foundation
import Glibc

/// A throwaway PostgreSQL cluster in a temporary directory, listening on a Unix socket in that
/// directory only (no TCP).
///
/// A TCP port was picked free, released, and then taken by one of the many test servers that
/// bind port 0 in parallel before the postmaster got it: one fresh-clone run in three failed
/// that way (issue 12, item 2). A socket in a directory of its own cannot collide. When a start
/// fails anyway, the error carries the end of `postgres.log`, read before the directory goes.
///
/// `initdb`/`postgres` refuse to run as root, so as root every server command runs as the
/// `postgres` OS user (`runuser -u postgres --`) on a directory that user owns. A watcher process
/// stops the cluster and deletes the directory if the test process dies without cleaning up.
public final class TestCluster: @unchecked Sendable {
    // @unchecked Sendable: all stored properties are immutable after init except `stopped`,
    // which is guarded by `lock`.
    public let directory: String
    public let port: Int
    public let binDirectory: String
    private let lock = NSLock()
    private var stopped = false

    /// `postgresql://postgres@/DB?host=DIRECTORY&port=5432`: the Unix socket in the cluster's
    /// directory (libpq: a `host` starting with `/` is a socket directory).
    public func url(database: String = "postgres") -> String {
        "postgresql://postgres@/\(database)?host=\(directory)&port=\(port)"
    }

    /// The socket's port number: only part of its file name (`.s.PGSQL.5432`), unique by directory.
    static let socketPort = 5432

    public var dataDirectory: String { directory + "/data" }
    private var logFile: String { directory + "/postgres.log" }

    /// Creates, configures and starts a cluster on a thread of its own (see `Blocking`).
    public static func start(settings: [String: String] = [:]) async throws -> TestCluster {
        try await Blocking.run { try startBlocking(settings: settings) }
    }

    /// Creates, configures and starts a cluster. Throws a `HarnessError` that names the failing
    /// step and the remedy.
    static func startBlocking(settings: [String: String] = [:]) throws -> TestCluster {
        let bin = try locateBinaries()
        let template = "/tmp/immoflow-pg-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let cluster = TestCluster(directory: directory, port: socketPort, binDirectory: bin)
        do {
            try cluster.initialize(settings: settings)
            try cluster.startServerBlocking()
            cluster.spawnWatcher()
            TestClusterRegistry.register(cluster)
            return cluster
        } catch {
            // The log goes with the directory: keep its end in the error.
            let tail = cluster.logTail()
            cluster.stop()
            throw tail.isEmpty ? error : HarnessError("\(error)\n--- last lines of postgres.log ---\n\(tail)")
        }
    }

    private init(directory: String, port: Int, binDirectory: String) {
        self.directory = directory
        self.port = port
        self.binDirectory = binDirectory
    }

    /// Stops the server (fast shutdown) and removes the directory; idempotent.
    public func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if already { return }
        _ = try? asPostgres([binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server and starts it again on the same port (for reconnect tests).
    public func restart() async throws {
        try await stopServer()
        try await startServer()
    }

    /// Stops the server without removing anything (for "database down" tests).
    public func stopServer() async throws {
        try await Blocking.run { [self] in
            try checked([binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], step: "pg_ctl stop")
        }
    }

    /// Starts a stopped server again.
    public func startServer() async throws {
        try await Blocking.run { [self] in try startServerBlocking() }
    }

    /// Stops and removes the cluster without parking a cooperative thread.
    public func shutdown() async {
        _ = try? await Blocking.run { [self] in stop() }
    }

    func startServerBlocking() throws {
        do {
            try checked([binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
                        step: "pg_ctl start (log: \(logFile))")
        } catch {
            let tail = logTail()
            throw tail.isEmpty ? error : HarnessError("\(error)\n--- last lines of postgres.log ---\n\(tail)")
        }
    }

    /// The last lines of the server's log (empty when there is none).
    func logTail(lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL through `psql` as the superuser (setup only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let outcome = try ProcessRunner.run([binDirectory + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
                                             "-d", url(database: database), "-c", sql])
        guard outcome.status == 0 else { throw HarnessError("psql failed: \(outcome.stderr)") }
        return outcome.stdout
    }

    private func initialize(settings: [String: String]) throws {
        if geteuid() == 0 {
            let outcome = try ProcessRunner.run(["/bin/chown", "postgres:postgres", directory])
            guard outcome.status == 0 else {
                throw HarnessError("chown \(directory) to postgres failed: \(outcome.stderr) (is there a `postgres` OS user? apt-get install postgresql)")
            }
        }
        try checked([binDirectory + "/initdb", "-D", dataDirectory, "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"], step: "initdb")
        var conf: [String: String] = [
            // Unix socket only: nothing to collide with the test servers' ephemeral ports.
            "listen_addresses": "''",
            "port": String(port),
            "unix_socket_directories": "'\(directory)'",
            "max_connections": "300",
            "shared_buffers": "'128MB'",
            // Throwaway test data: durability off for speed.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "log_min_messages": "warning",
        ]
        for (k, v) in settings { conf[k] = v }
        let text = conf.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        let confPath = dataDirectory + "/postgresql.auto.conf"
        guard let handle = FileHandle(forWritingAtPath: confPath) else {
            throw HarnessError("cannot open \(confPath)")
        }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    /// A detached shell that waits for this process to exit, then stops the server and removes
    /// the directory (a crashed or killed test run leaves nothing behind).
    private func spawnWatcher() {
        let stop = (geteuid() == 0 ? "runuser -u postgres -- " : "")
            + "'\(binDirectory)/pg_ctl' -D '\(dataDirectory)' -m immediate stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; "
            + "if [ -d '\(dataDirectory)' ]; then \(stop); rm -rf '\(directory)'; fi"
        // Not reaped by us: it outlives this process by design (init adopts it).
        _ = try? ProcessRunner.spawn(["/bin/sh", "-c", script], newSession: true)
    }

    private func asPostgres(_ command: [String]) throws -> ProcessRunner.Outcome {
        let full = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command
        return try ProcessRunner.run(full, workingDirectory: "/tmp")
    }

    private func checked(_ command: [String], step: String) throws {
        let outcome = try asPostgres(command)
        guard outcome.status == 0 else {
            throw HarnessError("PostgreSQL test cluster: \(step) failed (exit \(outcome.status)): "
                + (outcome.stderr + outcome.stdout).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// `PG_BIN`, else Debian's `/usr/lib/postgresql/<major>/bin` (15 preferred), else `pg_config --bindir`.
    static func locateBinaries() throws -> String {
        let manager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["PG_BIN"], manager.fileExists(atPath: explicit + "/initdb") {
            return explicit
        }
        var candidates = ["/usr/lib/postgresql/15/bin"]
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin" }
        }
        if let first = candidates.first(where: { manager.fileExists(atPath: $0 + "/initdb") }) { return first }
        throw HarnessError("PostgreSQL server binaries not found (looked for initdb in \(candidates.joined(separator: ", "))); "
            + "install them with `apt-get install -y postgresql` or set PG_BIN")
    }

    /// A port that was free a moment ago (bind to port 0 and read it back).
    public static func freePort() throws -> Int {
        let (fd, port) = try LoopbackSocket.bound()
        close(fd)
        return port
    }
}

/// Clusters to stop when the test process exits normally (`atexit`).
enum TestClusterRegistry {
    nonisolated(unsafe) private static var clusters: [TestCluster] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    static func register(_ cluster: TestCluster) {
        lock.lock()
        defer { lock.unlock() }
        clusters.append(cluster)
        if !installed {
            installed = true
            atexit { TestClusterRegistry.stopAll() }
        }
    }

    static func stopAll() {
        lock.lock()
        let all = clusters
        clusters = []
        lock.unlock()
        for cluster in all { cluster.stop() }
    }
}
