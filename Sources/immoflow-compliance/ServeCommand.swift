import API
import Compliance
import ArgumentParser
import Dispatch
import Crypto
import Foundation
import ObjectStoreClient
import HTTPServer
import Migrations

/// `immoflow-compliance serve`: the HTTP API until SIGTERM or SIGINT (graceful, exit 0).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (graceful shutdown on SIGTERM/SIGINT).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tokens: TokenOptions

    @Option(help: "Listen address (default $IMMOFLOW_HOST or 127.0.0.1).")
    var host: String?
    @Option(help: "Listen port (default $IMMOFLOW_PORT or 8080; 0 picks a free one).")
    var port: Int?
    @Option(name: .customLong("cors-origins"), help: "Comma-separated dashboard origins allowed by CORS (default $IMMOFLOW_CORS_ORIGINS).")
    var corsOrigins: String?
    @Option(name: .customLong("max-connections"), help: "Open connections at most; at the limit the oldest idle one makes room.")
    var maxConnections: Int = 1024
    @Option(name: .customLong("max-connections-per-client"), help: "Open connections of one client address at most.")
    var maxConnectionsPerClient: Int = 256
    @Option(name: .customLong("header-timeout"), help: "Seconds to receive a request head (slowloris guard).")
    var headerTimeout: Int = 10
    @Option(name: .customLong("idle-timeout"), help: "Seconds a kept-alive connection may idle.")
    var idleTimeout: Int = 5
    @Option(name: .customLong("drain-timeout"), help: "Seconds in-flight requests get at shutdown.")
    var drainTimeout: Int = 10
    @Option(name: .customLong("threshold"), help: ArgumentHelp(
        "Maximum age of a worm-status control, e.g. diff_backup=75m (repeatable; also $IMMOFLOW_THRESHOLDS, comma-separated). Controls: \(ControlThresholds.names.joined(separator: ", ")).",
        valueName: "control=duration"))
    var thresholds: [String] = []
    @Option(name: .customLong("clock-skew"), help: ArgumentHelp(
        "How far ahead of the database's clock an event may be dated: later ones are refused when recorded and never count as evidence (default $IMMOFLOW_CLOCK_SKEW or 5m; at most 1h).",
        valueName: "duration"))
    var clockSkew: String?
    @Option(name: .customLong("pool-size"), help: "Database connections for API queries (default: this machine's cores + 1, here \(Server.Options.defaultPoolSize); docs/measurements.md).")
    var poolSize: Int = Server.Options.defaultPoolSize
    @Option(name: .customLong("wal-check-interval"), help: "Seconds between checks of pg_stat_archiver for archive failures, recorded as wal_archive events (0: off).")
    var walCheckInterval: Int = 60
    @Flag(name: .customLong("no-access-log"), help: "Do not write the JSON access log to stdout.")
    var noAccessLog = false
    @Option(name: .customLong("access-log-exclude"), help: ArgumentHelp(
        "A request path left out of the access log, e.g. /health/ready for a load balancer's probes (repeatable; the query is ignored).",
        valueName: "path"))
    var accessLogExclude: [String] = []
    @Flag(name: .customLong("metrics-token-required"), help: "Require a bearer token for /api/metrics (default: open; also $IMMOFLOW_METRICS_TOKEN_REQUIRED=1).")
    var metricsTokenRequired = false
    @Option(name: .customLong("worm-verify-interval"), help: "Seconds between two checks of one export package's lock in the WORM store (with IMMOFLOW_WORM_BUCKET set; 0: off).")
    var wormVerifyInterval: Int = 3600
    @Option(name: .customLong("audit-verify-interval"), help: "Seconds between two verifications of the audit chains (0: off).")
    var auditVerifyInterval: Int = 86_400
    @Option(name: .customLong("audit-checkpoint-interval"),
            help: "Seconds between two checkpoint runs (heads with new entries signed into the WORM store; needs IMMOFLOW_SIGNING_KEY_FILE and IMMOFLOW_WORM_BUCKET; 0: off).")
    var auditCheckpointInterval: Int = 86_400
    @Option(name: .customLong("export-directory"), help: "Where export packages are built and kept for download (default $IMMOFLOW_EXPORT_DIR or /var/lib/immoflow-compliance/exports).")
    var exportDirectory: String?
    @Option(name: .customLong("export-concurrency"), help: "Export packages built at the same time at most.")
    var exportConcurrency: Int = 1
    @Option(name: .customLong("audit-public-key"), help: "A PEM public key checkpoints may be signed with besides the signing key's (repeatable).")
    var auditPublicKeyFiles: [String] = []

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535") }
        guard (1...512).contains(poolSize) else { throw ValidationError("--pool-size must be 1…512") }
        guard (0...86_400).contains(walCheckInterval) else { throw ValidationError("--wal-check-interval must be 0…86400 seconds") }
        guard (0...2_592_000).contains(wormVerifyInterval) else { throw ValidationError("--worm-verify-interval must be 0…2592000 seconds") }
        guard (0...2_592_000).contains(auditVerifyInterval) else { throw ValidationError("--audit-verify-interval must be 0…2592000 seconds") }
        guard (0...2_592_000).contains(auditCheckpointInterval) else { throw ValidationError("--audit-checkpoint-interval must be 0…2592000 seconds") }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1…1000000") }
        guard (1...1_000_000).contains(maxConnectionsPerClient) else {
            throw ValidationError("--max-connections-per-client must be 1…1000000")
        }
        for (name, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout), ("--drain-timeout", drainTimeout)]
        where !(1...3600).contains(value) {
            throw ValidationError("\(name) must be 1…3600 seconds")
        }
        for path in accessLogExclude where !path.hasPrefix("/") || path.contains("?") {
            throw ValidationError("--access-log-exclude takes a path such as /health/live, got '\(path)'")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let listenHost = host ?? environment["IMMOFLOW_HOST"] ?? "127.0.0.1"
        let listenPort: Int
        if let port {
            listenPort = port
        } else if let text = environment["IMMOFLOW_PORT"] {
            guard let value = Int(text), (0...65535).contains(value), !text.hasPrefix("+") else {
                throw CommandFailure("serve: IMMOFLOW_PORT must be a port number, got '\(text)'", exitCode: 64)
            }
            listenPort = value
        } else {
            listenPort = 8080
        }
        var http = HTTPServerConfiguration(host: listenHost, port: listenPort)
        http.maxConnections = maxConnections
        http.maxConnectionsPerClient = maxConnectionsPerClient
        http.headerTimeout = .seconds(headerTimeout)
        http.idleTimeout = .seconds(idleTimeout)
        http.drainTimeout = .seconds(drainTimeout)
        var options = Server.Options(http: http, databaseURL: try database.resolvedURL())
        options.corsOrigins = (corsOrigins ?? environment["IMMOFLOW_CORS_ORIGINS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        options.accessLog = !noAccessLog
        options.accessLogExcluded = Set(accessLogExclude)
        options.metricsRequireToken = metricsTokenRequired || environment["IMMOFLOW_METRICS_TOKEN_REQUIRED"] == "1"
        let thresholdAssignments = (environment["IMMOFLOW_THRESHOLDS"] ?? "").split(separator: ",").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty } + thresholds
        do {
            options.thresholds = try ControlThresholds(assignments: thresholdAssignments)
        } catch {
            throw CommandFailure("serve: \(error.description)", exitCode: 64)
        }
        if let text = clockSkew ?? environment["IMMOFLOW_CLOCK_SKEW"] {
            guard let seconds = ControlThresholds.seconds(Substring(text)), seconds <= ControlThresholds.maximumClockSkew else {
                throw CommandFailure("serve: --clock-skew must look like 90s or 5m, at most 1h, got '\(text)'", exitCode: 64)
            }
            options.thresholds.clockSkew = seconds
        }
        options.walCheckInterval = walCheckInterval
        options.wormVerifyInterval = Int64(wormVerifyInterval)
        options.auditVerifyInterval = Int64(auditVerifyInterval)
        options.auditCheckpointInterval = Int64(auditCheckpointInterval)
        do {
            options.signingKey = try AuditCommand.signingKey()
        } catch let failure as CommandFailure {
            throw CommandFailure(failure.message.replacingOccurrences(of: "audit:", with: "serve:"), exitCode: failure.exitCode)
        }
        for path in auditPublicKeyFiles {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("serve: cannot read \(path)") }
            do { options.auditPublicKeys.append(try Ed25519PublicKey(pem: pem)) } catch { throw CommandFailure("serve: \(path): \(error.reason)") }
        }
        if let bucket = environment["IMMOFLOW_WORM_BUCKET"], !bucket.isEmpty {
            switch S3Configuration.fromEnvironment(environment) {
            case .success(let worm): options.worm = worm
            case .failure(let error): throw CommandFailure("serve: \(error.description)", exitCode: 64)
            }
        }
        let contract = InstalledFile.locate("openapi.yaml", environmentVariable: "IMMOFLOW_OPENAPI_FILE")
        options.openAPIDocument = FileManager.default.contents(atPath: contract).map { Array($0) }
        if options.openAPIDocument == nil {
            FileHandle.standardError.write(Data("serve: warning: \(contract) not found; /openapi.yaml answers 404\n".utf8))
        }
        options.poolSize = poolSize
        options.exportDirectory = exportDirectory ?? environment["IMMOFLOW_EXPORT_DIR"] ?? options.exportDirectory
        guard (1...16).contains(exportConcurrency) else { throw CommandFailure("serve: --export-concurrency must be 1–16", exitCode: 64) }
        options.exportConcurrency = exportConcurrency
        options.gdpduDTD = try ExportCommand.dtd()
        options.tokenHasher = try tokens.hasher()
        if options.tokenHasher == nil {
            FileHandle.standardError.write(Data("serve: warning: no token pepper configured; /api/compliance/* answers 503\n".utf8))
        }
        let signals = ShutdownSignal()
        do {
            try await Server.run(options, started: { port in
                FileHandle.standardError.write(Data("serve: listening on \(listenHost):\(port)\n".utf8))
            }, until: { await signals.wait() })
        } catch let error as HTTPServerError {
            throw CommandFailure("serve: cannot listen on \(listenHost):\(listenPort): \(error)")
        }
        FileHandle.standardError.write(Data("serve: stopped\n".utf8))
    }
}

/// Waits for SIGTERM or SIGINT (handled by Dispatch sources, so the default actions are off).
final class ShutdownSignal: @unchecked Sendable {
    // @unchecked Sendable: the sources are created once in init and only kept alive here.
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "signals")
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let continuation = self.continuation
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
    }

    func wait() async {
        for await number in stream {
            FileHandle.standardError.write(Data("serve: \(number == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down\n".utf8))
            return
        }
    }
}
