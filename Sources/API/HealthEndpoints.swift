import HTTP1
import HTTPRouting
import JCS
import Postgres

/// `GET|HEAD /health` (liveness, from memory) and `GET /health/ready` (one database round trip).
public struct HealthEndpoints: Sendable {
    /// A dedicated pool of one connection with short timeouts, so readiness neither waits behind
    /// busy API queries nor hangs on a dead database.
    let readinessPool: ConnectionPool
    let timeout: Duration
    static let live: [UInt8] = Array(#"{"status":"ok"}"#.utf8)

    public init(readinessPool: ConnectionPool, timeout: Duration = .seconds(2)) {
        self.readinessPool = readinessPool
        self.timeout = timeout
    }

    public func register(in router: inout Router) {
        // Liveness must not depend on anything but the process: answered on the connection's
        // queue, no task hop, no database.
        let headers = Self.liveHeaders, body = Self.live
        router.add("GET", "/health") { _ in HTTPResponse(status: 200, headers: headers, body: .bytes(body)) }
        router.add("GET", "/health/ready") { _ in try await ready() }
    }

    static let noStore = HTTPHeaders([("Cache-Control", "no-store")])
    static let liveHeaders = HTTPHeaders([("Cache-Control", "no-store"), ("Content-Type", "application/json")])

    /// 200 with the round-trip time, or 503 problem+json. libpq text never reaches the client.
    func ready() async throws -> HTTPResponse {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try await readinessPool.query("SELECT 1", timeout: timeout)
            let micros = (clock.now - started).components.attoseconds / 1_000_000_000_000 + (clock.now - started).components.seconds * 1_000_000
            let body = CanonicalJSON.object([
                "status": .string("ready"),
                "database": .object(["status": .string("up"), "round_trip_us": .integer(micros)]),
            ]).text
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(body.utf8), headers: Self.noStore)
        } catch {
            let detail: String
            if let error = error as? PostgresError {
                switch error.category {
                case .timeout: detail = "the database did not answer within \(timeout)"
                case .unavailable: detail = "the database is unreachable"
                default: detail = "the database check failed (\(error.code.rawValue))"
                }
            } else {
                detail = "the database check failed"
            }
            var problem = Problem(status: 503, code: "not_ready", title: "Service Unavailable", detail: detail)
            problem.extensions["database"] = .object(["status": .string("down")])
            return problem.response(headers: RetryAfter.adding(to: Self.noStore))
        }
    }
}
