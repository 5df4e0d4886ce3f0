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
        public var databaseURL: String

        public init(http: HTTPServerConfiguration, databaseURL: String) {
            self.http = http
            self.databaseURL = databaseURL
        }
    }

    /// The router with every endpoint this build serves.
    public static func makeApplication(readinessPool: ConnectionPool, corsOrigins: [String], accessLog: Logger?) -> Application {
        var router = Router()
        HealthEndpoints(readinessPool: readinessPool).register(in: &router)
        return Application(router: router, cors: CORSPolicy(allowedOrigins: corsOrigins), accessLog: accessLog)
    }

    /// Binds, serves until `stop` returns, then shuts down gracefully and closes the pools.
    public static func run(_ options: Options, started: @Sendable (Int) -> Void,
                           until stop: @Sendable () async -> Void) async throws {
        let readiness = ConnectionPool(
            configuration: ConnectionConfiguration(url: options.databaseURL, connectTimeoutSeconds: 2,
                                                   applicationName: "immoflow-compliance-ready", statementTimeout: .seconds(2)),
            size: 1, checkoutTimeout: .seconds(2))
        var logger: Logger?
        if options.accessLog {
            logger = Logger(label: "access") { JSONLogHandler(label: $0) }
        }
        let application = makeApplication(readinessPool: readiness, corsOrigins: options.corsOrigins, accessLog: logger)
        let server = try HTTPServer(configuration: options.http, responder: application)
        server.start()
        started(server.port)
        await stop()
        await server.shutdown()
        await readiness.close()
    }
}
