import API
import Compliance
import Crypto
import Export
import Foundation
import Gdpdu
import HTTPRouting
import HTTPServer
import Logging
import ObjectStoreClient
import Postgres
import WormMonitor

/// `serve` put together: the pools, the log sink, the application and the HTTP server, run
/// until stopped (the composition root; `API` itself knows no sockets).
enum Server {
    /// Everything `serve` needs.
    struct Options: Sendable {
        var http: HTTPServerConfiguration
        var corsOrigins: [String] = []
        var accessLog = true
        /// Request paths left out of the access log (e.g. a load balancer's `/health/ready`).
        var accessLogExcluded: Set<String> = []
        var databaseURL: String
        /// Keys token hashes; without it every `/api/compliance/*` request is 503.
        var tokenHasher: TokenHasher?
        /// Connections for API queries.
        var poolSize = Options.defaultPoolSize
        /// Cores + 1. Every API query is short and CPU-bound on both sides, so a connection per
        /// core (plus one to cover the gap while a result travels) keeps the CPUs busy without
        /// the context switches of more (docs/measurements.md, "Pool size"). With the database on
        /// a bigger host of its own, raise it (`--pool-size`; PostgreSQL's rule of thumb is twice
        /// the database's cores plus its spindles).
        static var defaultPoolSize: Int { ProcessInfo.processInfo.activeProcessorCount + 1 }
        /// Require a token with `read_metrics` for `/api/metrics` (open by default).
        var metricsRequireToken = false
        /// Maximum ages of the worm-status controls (also behind `compliance_control_status`).
        var thresholds = ControlThresholds()
        /// Seconds between checks of `pg_stat_archiver` for archive failures (0: never).
        var walCheckInterval = 60
        /// The contract served at `/openapi.yaml` (nil: not found, 404).
        var openAPIDocument: [UInt8]?
        /// The WORM store whose export packages' locks are checked in the background (nil: no
        /// check; the export control then relies on the table alone).
        var worm: S3Configuration?
        /// Seconds between two checks of one export package's lock.
        var wormVerifyInterval: Int64 = 3600
        /// Seconds between two verifications of the audit chains (0: never).
        var auditVerifyInterval: Int64 = 86_400
        /// Seconds between two checkpoint runs (0: never; needs `signingKey` and `worm`).
        var auditCheckpointInterval: Int64 = 86_400
        /// The checkpoints' signing key (nil: no checkpoints, a warning at start).
        var signingKey: Ed25519PrivateKey?
        /// Public keys checkpoints may be signed with besides the signing key's (rotations).
        var auditPublicKeys: [Ed25519PublicKey] = []
        /// Where export packages are built and kept for download.
        var exportDirectory = "/var/lib/immoflow-compliance/exports"
        /// Exports built at the same time at most.
        var exportConcurrency = 1
        /// The DTD packages ship (nil: the bundled one).
        var gdpduDTD: [UInt8]?

        init(http: HTTPServerConfiguration, databaseURL: String) {
            self.http = http
            self.databaseURL = databaseURL
        }
    }

    /// Binds, serves until `stop` returns, then shuts down gracefully and closes the pools.
    static func run(_ options: Options, started: @Sendable (Int) -> Void,
                    until stop: @Sendable () async -> Void) async throws {
        let readiness = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 2,
                                                   applicationName: "immoflow-compliance-ready", statementTimeout: .seconds(2)),
            size: 1, checkoutTimeout: .seconds(2))
        let pool = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 3,
                                                   applicationName: "immoflow-compliance-api", statementTimeout: .seconds(10),
                                                   sessionSettings: APIServer.apiSessionSettings),
            size: options.poolSize, checkoutTimeout: .seconds(5))
        // stdout, written by a thread of its own: the access log (when on) and the event log.
        let sink = LogSink(descriptor: 1)
        let log = Logger(label: "immoflow") { JSONLogHandler(label: $0, sink: sink) }
        let exports = await startExports(options)
        let dependencies = APIServer.Dependencies(readinessPool: readiness, pool: pool,
                                        authenticator: Authenticator(hasher: options.tokenHasher, pool: pool),
                                        metricsRequireToken: options.metricsRequireToken, thresholds: options.thresholds,
                                        openAPIDocument: options.openAPIDocument, exportJobs: exports.runner)
        let application = APIServer.makeApplication(dependencies, corsOrigins: options.corsOrigins, accessLog: options.accessLog ? sink : nil,
                                          accessLogExcluded: options.accessLogExcluded, log: log)
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: options.http, responder: application)
        } catch {
            await readiness.close()
            await pool.close()
            await exports.pool.close()
            sink.close()
            throw error
        }
        server.start()
        started(server.port)
        let walMonitor = options.walCheckInterval > 0 ? Task { await APIServer.watchArchiver(pool, every: options.walCheckInterval) } : nil
        var wormMonitor: Task<Void, Never>?
        if let worm = options.worm, options.wormVerifyInterval > 0 {
            do {
                let verifier = ExportLockVerifier(client: try S3Client(worm), pool: pool, interval: options.wormVerifyInterval)
                // Due packages are looked for every minute (or interval); each is checked once per interval.
                let period = Duration.seconds(min(60, options.wormVerifyInterval))
                wormMonitor = Task { await verifier.run(every: period) { FileHandle.standardError.write(Data("serve: \($0)\n".utf8)) } }
            } catch {
                FileHandle.standardError.write(Data("serve: warning: the WORM store cannot be used, export locks are not verified: \(error)\n".utf8))
            }
        }
        let auditSchedule = startAuditSchedule(options)
        await stop()
        walMonitor?.cancel()
        wormMonitor?.cancel()
        auditSchedule?.task.cancel()
        if let auditSchedule { await auditSchedule.pool.close() }
        await server.shutdown()
        // Running exports finish (they are evidence in the making); queued ones are failed at the next start.
        await exports.runner.drain()
        await exports.pool.close()
        await readiness.close()
        await pool.close()
        sink.close()
    }

    /// The export jobs on a pool of their own (a snapshot held for a whole export, plus one for
    /// recording): exports a previous run left unfinished are marked failed first. Without a
    /// signing key (or a usable export directory) exports are refused with the reason.
    static func startExports(_ options: Options) async -> (runner: ExportJobRunner, pool: ConnectionPool) {
        let report: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("serve: \($0)\n".utf8)) }
        let pool = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 3, applicationName: "immoflow-compliance-export",
                                                   statementTimeout: .seconds(3600)),
            size: 2 * options.exportConcurrency, checkoutTimeout: .seconds(3600))
        var reason: String?
        var service: ExportService?
        if let key = options.signingKey {
            do {
                try FileManager.default.createDirectory(atPath: options.exportDirectory, withIntermediateDirectories: true)
                var store: S3Client?
                if let worm = options.worm { store = try S3Client(worm) }
                let builder = PackageBuilder(pool: pool, key: key, dtd: options.gdpduDTD ?? Array(GdpduGrammar.bundledDTD.utf8),
                                             generator: "immoflow-compliance \(BuildInfo.version)", scratch: options.exportDirectory)
                service = ExportService(pool: pool, builder: builder, store: store, host: BackupCommand.hostName)
            } catch {
                reason = "the export directory \(options.exportDirectory) or the WORM store cannot be used: \(error)"
            }
        } else {
            reason = "exports are signed, and IMMOFLOW_SIGNING_KEY_FILE is not set"
        }
        if let reason { report("warning: export packages cannot be built: \(reason)") }
        let runner = ExportJobRunner(service: service, reason: reason, pool: pool, directory: options.exportDirectory,
                                     concurrency: options.exportConcurrency, report: report)
        do {
            let interrupted = try await runner.recoverInterrupted()
            if interrupted > 0 { report("\(interrupted) export(s) interrupted by the last stop marked failed") }
        } catch {
            report("warning: interrupted exports could not be marked failed: \(error)")
        }
        return (runner, pool)
    }

    /// The audit chains' verification and checkpoints on their schedule, on a pool of their own
    /// (one connection, long statements: a verification streams every row). Without a signing key
    /// or a WORM store, checkpoints are skipped with a warning; verification still runs.
    static func startAuditSchedule(_ options: Options) -> (task: Task<Void, Never>, pool: ConnectionPool)? {
        guard options.auditVerifyInterval > 0 || options.auditCheckpointInterval > 0 else { return nil }
        let report: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("serve: \($0)\n".utf8)) }
        let pool = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 3, applicationName: "immoflow-compliance-audit",
                                                   statementTimeout: .seconds(3600)),
            size: 1, checkoutTimeout: .seconds(3600))
        var store: S3Client?
        if let worm = options.worm {
            do { store = try S3Client(worm) } catch { report("warning: the WORM store cannot be used for audit checkpoints: \(error)") }
        }
        var keys = options.auditPublicKeys
        if let key = options.signingKey, !keys.contains(key.publicKey) { keys.append(key.publicKey) }
        var writer: AuditCheckpointWriter?
        if options.auditCheckpointInterval > 0 {
            if let key = options.signingKey, let store {
                writer = AuditCheckpointWriter(pool: pool, store: store, key: key, pinned: keys)
            } else {
                report("warning: audit checkpoints are skipped: " + (options.signingKey == nil ? "IMMOFLOW_SIGNING_KEY_FILE is not set" : "no WORM store (IMMOFLOW_WORM_BUCKET)"))
            }
        }
        let schedule = AuditChainSchedule(pool: pool, verification: AuditChainVerification(pool: pool, store: store, keys: keys), writer: writer,
                                          verifyInterval: options.auditVerifyInterval, checkpointInterval: options.auditCheckpointInterval)
        let period = Duration.seconds(max(1, min(60, [options.auditVerifyInterval, options.auditCheckpointInterval].filter { $0 > 0 }.min() ?? 60)))
        return (Task { await schedule.run(every: period, report: report) }, pool)
    }
}
