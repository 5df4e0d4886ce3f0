import Compliance
import ComplianceStore
import Foundation
import HTTPRouting
import HTTPServer
import Logging
import Postgres

/// Assembles the application: routes, CORS, access log; and runs it until shut down.
public enum APIServer {
    /// Everything `serve` needs.
    public struct Options: Sendable {
        public var http: HTTPServerConfiguration
        public var corsOrigins: [String] = []
        public var accessLog = true
        /// Request paths left out of the access log (e.g. a load balancer's `/health/ready`).
        public var accessLogExcluded: Set<String> = []
        public var databaseURL: String
        /// Keys token hashes; without it every `/api/compliance/*` request is 503.
        public var tokenHasher: TokenHasher?
        /// Connections for API queries.
        public var poolSize = Options.defaultPoolSize
        /// Cores + 1. Every API query is short and CPU-bound on both sides, so a connection per
        /// core (plus one to cover the gap while a result travels) keeps the CPUs busy without
        /// the context switches of more (docs/measurements.md, "Pool size"). With the database on
        /// a bigger host of its own, raise it (`--pool-size`; PostgreSQL's rule of thumb is twice
        /// the database's cores plus its spindles).
        public static var defaultPoolSize: Int { ProcessInfo.processInfo.activeProcessorCount + 1 }
        /// Require a token with `read_metrics` for `/api/metrics` (open by default).
        public var metricsRequireToken = false
        /// Maximum ages of the worm-status controls (also behind `compliance_control_status`).
        public var thresholds = ControlThresholds()
        /// Seconds between checks of `pg_stat_archiver` for archive failures (0: never).
        public var walCheckInterval = 60
        /// The contract served at `/openapi.yaml` (nil: not found, 404).
        public var openAPIDocument: [UInt8]?

        public init(http: HTTPServerConfiguration, databaseURL: String) {
            self.http = http
            self.databaseURL = databaseURL
        }
    }

    /// What the endpoints need.
    public struct Dependencies: Sendable {
        public var readinessPool: ConnectionPool
        public var pool: ConnectionPool
        public var authenticator: Authenticator
        public var metricsRequireToken: Bool
        public var thresholds: ControlThresholds
        public var openAPIDocument: [UInt8]?

        public init(readinessPool: ConnectionPool, pool: ConnectionPool, authenticator: Authenticator, metricsRequireToken: Bool = false,
                    thresholds: ControlThresholds = ControlThresholds(), openAPIDocument: [UInt8]? = nil) {
            self.readinessPool = readinessPool
            self.pool = pool
            self.authenticator = authenticator
            self.metricsRequireToken = metricsRequireToken
            self.thresholds = thresholds
            self.openAPIDocument = openAPIDocument
        }
    }

    /// The router with every endpoint this build serves.
    public static func makeApplication(_ dependencies: Dependencies, corsOrigins: [String], accessLog: LogSink?,
                                       accessLogExcluded: Set<String> = [], log: Logger? = nil) -> Application {
        let metrics = HTTPMetrics(accessLog: accessLog)
        return Application(router: makeRouter(dependencies, metrics: metrics), cors: CORSPolicy(allowedOrigins: corsOrigins),
                           accessLog: accessLog, accessLogExcluded: accessLogExcluded,
                           log: log ?? Logger(label: "immoflow", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: metrics)
    }

    /// Every route of the API.
    public static func makeRouter(_ dependencies: Dependencies, metrics: HTTPMetrics = HTTPMetrics()) -> Router {
        var router = Router()
        HealthEndpoints(readinessPool: dependencies.readinessPool).register(in: &router)
        OpenAPIEndpoint(document: dependencies.openAPIDocument).register(in: &router)
        BackupEventsEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator).register(in: &router)
        RecordBackupEventEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator,
                                  clockSkew: dependencies.thresholds.clockSkew).register(in: &router)
        WormStatusEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator,
                           thresholds: dependencies.thresholds).register(in: &router)
        MetricsEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator, http: metrics,
                        requireToken: dependencies.metricsRequireToken, thresholds: dependencies.thresholds).register(in: &router)
        return router
    }

    /// Binds, serves until `stop` returns, then shuts down gracefully and closes the pools.
    public static func run(_ options: Options, started: @Sendable (Int) -> Void,
                           until stop: @Sendable () async -> Void) async throws {
        let readiness = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 2,
                                                   applicationName: "immoflow-compliance-ready", statementTimeout: .seconds(2)),
            size: 1, checkoutTimeout: .seconds(2))
        let pool = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 3,
                                                   applicationName: "immoflow-compliance-api", statementTimeout: .seconds(10),
                                                   sessionSettings: apiSessionSettings),
            size: options.poolSize, checkoutTimeout: .seconds(5))
        // stdout, written by a thread of its own: the access log (when on) and the event log.
        let sink = LogSink(descriptor: 1)
        let log = Logger(label: "immoflow") { JSONLogHandler(label: $0, sink: sink) }
        let dependencies = Dependencies(readinessPool: readiness, pool: pool,
                                        authenticator: Authenticator(hasher: options.tokenHasher, pool: pool),
                                        metricsRequireToken: options.metricsRequireToken, thresholds: options.thresholds,
                                        openAPIDocument: options.openAPIDocument)
        let application = makeApplication(dependencies, corsOrigins: options.corsOrigins, accessLog: options.accessLog ? sink : nil,
                                          accessLogExcluded: options.accessLogExcluded, log: log)
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: options.http, responder: application)
        } catch {
            await readiness.close()
            await pool.close()
            sink.close()
            throw error
        }
        server.start()
        started(server.port)
        let walMonitor = options.walCheckInterval > 0 ? Task { await watchArchiver(pool, every: options.walCheckInterval) } : nil
        await stop()
        walMonitor?.cancel()
        await server.shutdown()
        await readiness.close()
        await pool.close()
        sink.close()
    }

    /// The API's statements are prepared once per connection and bound with values (LIMIT, filters,
    /// cursor). With the default `plan_cache_mode = auto` PostgreSQL keeps re-planning them on every
    /// execution, because a generic plan's estimate for `LIMIT $n` looks worse than the custom
    /// plans — a third of a page's database time spent planning the same plan again
    /// (docs/measurements.md). Every API query is keyed by an index whose order matches its ORDER
    /// BY, so the generic plan is the plan.
    static let apiSessionSettings: [(name: String, value: String)] = [("plan_cache_mode", "force_generic_plan")]

    /// Records WAL archive failures (and recoveries) as `wal_archive` events until cancelled. A
    /// failing check (database down, standby) is reported once on stderr, and again on recovery.
    static func watchArchiver(_ pool: ConnectionPool, every seconds: Int) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await pool.withConnection { _ = try await WalArchiveMonitor().check(on: $0) }
                if failing { FileHandle.standardError.write(Data("serve: WAL archive check works again\n".utf8)) }
                failing = false
            } catch {
                if !failing { FileHandle.standardError.write(Data("serve: WAL archive check failed: \(error)\n".utf8)) }
                failing = true
            }
            try? await Task.sleep(for: .seconds(seconds))
        }
    }
}
