import Compliance
import ComplianceStore
import Foundation
import HTTPRouting
import Logging
import Postgres

/// Assembles the application: routes, CORS, access log (the executable's `Server` runs it).
public enum APIServer {
    /// What the endpoints need.
    public struct Dependencies: Sendable {
        public var readinessPool: ConnectionPool
        public var pool: ConnectionPool
        public var authenticator: Authenticator
        public var metricsRequireToken: Bool
        public var thresholds: ControlThresholds
        public var openAPIDocument: [UInt8]?
        /// The export jobs (nil: POST /api/compliance/exports answers 503).
        public var exportJobs: ExportScheduling?

        public init(readinessPool: ConnectionPool, pool: ConnectionPool, authenticator: Authenticator, metricsRequireToken: Bool = false,
                    thresholds: ControlThresholds = ControlThresholds(), openAPIDocument: [UInt8]? = nil, exportJobs: ExportScheduling? = nil) {
            self.readinessPool = readinessPool
            self.pool = pool
            self.authenticator = authenticator
            self.metricsRequireToken = metricsRequireToken
            self.thresholds = thresholds
            self.openAPIDocument = openAPIDocument
            self.exportJobs = exportJobs
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
        AuditChainEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator).register(in: &router)
        AuditLogsEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator).register(in: &router)
        ExportsEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator, jobs: dependencies.exportJobs).register(in: &router)
        WormStatusEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator,
                           thresholds: dependencies.thresholds).register(in: &router)
        MetricsEndpoint(pool: dependencies.pool, authenticator: dependencies.authenticator, http: metrics,
                        requireToken: dependencies.metricsRequireToken, thresholds: dependencies.thresholds).register(in: &router)
        return router
    }

    /// The API's statements are prepared once per connection and bound with values (LIMIT, filters,
    /// cursor). With the default `plan_cache_mode = auto` PostgreSQL keeps re-planning them on every
    /// execution, because a generic plan's estimate for `LIMIT $n` looks worse than the custom
    /// plans — a third of a page's database time spent planning the same plan again
    /// (docs/measurements.md). Every API query is keyed by an index whose order matches its ORDER
    /// BY, so the generic plan is the plan.
    public static let apiSessionSettings: [(name: String, value: String)] = [("plan_cache_mode", "force_generic_plan")]

    /// Records WAL archive failures (and recoveries) as `wal_archive` events until cancelled. A
    /// failing check (database down, standby) is reported once on stderr, and again on recovery.
    public static func watchArchiver(_ pool: ConnectionPool, every seconds: Int) async {
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
