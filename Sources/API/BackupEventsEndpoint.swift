import Chronology
import Compliance
import ComplianceStore
import HTTP1
import HTTPRouting
import JCS
import Postgres

/// `GET /api/compliance/backup-events`: the backup history, filtered, keyset-paginated, as JSON
/// or CSV (`Accept: text/csv`). Unknown parameters are refused (400 naming them), so a typo in a
/// filter never silently widens the result.
public struct BackupEventsEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    static let known: Set<String> = ["type", "status", "stanza", "repo", "from", "to", "limit", "cursor"]

    public init(pool: ConnectionPool, authenticator: Authenticator) {
        self.pool = pool
        self.authenticator = authenticator
    }

    public func register(in router: inout Router) {
        router.add("GET", "/api/compliance/backup-events", started: { request, reply in start(request, reply: reply) },
                   handler: { request in try await list(request) })
    }

    /// The JSON page without a Swift task when the token is cached: checked, parsed and queued
    /// on the event loop, queried and written on a database connection's thread, handed back to
    /// the loop (two thread hops per request instead of four). CSV, and tokens that must be
    /// looked up first, take `list`.
    func start(_ request: HTTPRequest, reply: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) -> Bool {
        guard Self.negotiate(request) == .json, let authorized = authenticator.authorizeFromMemory(request, .readCompliance) else { return false }
        if case .failure(let refusal) = authorized {
            reply(.success(refusal.response))
            return true
        }
        switch Self.parse(request.head.query) {
        case .failure(let problem):
            reply(.success(problem.response()))
        case .success(let query):
            let limit = query.limit
            BackupAuditStore().startPage(query, on: pool, transform: { result throws(PostgresError) in
                try Self.jsonPage(result, limit: limit)
            }, completion: { outcome in
                reply(outcome.map { HTTPResponse(status: 200, contentType: "application/json", body: $0) }.mapError { $0 })
            })
        }
        return true
    }

    enum Representation { case json, csv, none }
    static let offered = ["application/json", "text/csv"]

    /// JSON or CSV by `Accept` and its q-values (RFC 9110 §12.5.1); JSON on a tie.
    static func negotiate(_ request: HTTPRequest) -> Representation {
        switch ContentNegotiation.choose(accept: request.headers["Accept"], offered: offered) {
        case 0: .json
        case 1: .csv
        default: .none
        }
    }

    /// The JSON page, straight from the binary result (no decoded events on the hot path).
    static func jsonPage(_ result: QueryResult, limit: Int) throws(PostgresError) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 + min(result.count, limit) * 1000)
        try BackupEventPageWriter.write(result, limit: limit, to: &writer)
        return writer.bytes
    }

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        if case .failure(let refusal) = await authenticator.authorize(request, .readCompliance) { return refusal.response }
        let query: BackupEventQuery
        switch Self.parse(request.head.query) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return problem.response()
        }
        let representation = Self.negotiate(request)
        if representation == .none {
            return Problem(status: 406, code: "not_acceptable",
                           detail: "available as \(Self.offered.joined(separator: " or ")); see the Accept header").response()
        }
        if representation == .csv {
            let (events, next) = try await pool.withConnection { try await BackupAuditStore().page(query, on: $0) }
            var headers = HTTPHeaders()
            if let next { headers.set("X-Next-Cursor", next.encoded) }
            return HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: RecordCSV.render(events),
                                headers: headers)
        }
        // Written on the connection's thread as soon as the rows arrive.
        let limit = query.limit
        let body = try await pool.withConnection { connection in
            try await BackupAuditStore().pageResult(query, on: connection) { result throws(PostgresError) in
                try Self.jsonPage(result, limit: limit)
            }
        }
        return HTTPResponse(status: 200, contentType: "application/json", body: body)
    }

    static let timeHint = "an RFC 3339 date-time with offset, e.g. 2026-11-26T00:00:00Z"

    /// The query, or a 400 problem naming the first bad parameter.
    public static func parse(_ text: String?) -> Result<BackupEventQuery, Problem> {
        func bad(_ name: String, _ why: String) -> Result<BackupEventQuery, Problem> { .failure(.invalidParameter(name, why)) }
        let params: QueryParameters
        do { params = try QueryParameters(text) } catch { return bad(error.parameter, "not valid percent-encoded UTF-8") }
        if let unknown = params.unknown(known).first { return bad(unknown, "unknown parameter") }
        var q = BackupEventQuery()
        do {
            for value in params.values("type") {
                guard let type = BackupEventType(rawValue: value) else { return bad("type", "unknown event type '\(value.prefix(40))'") }
                q.types.append(type)
            }
            for value in params.values("status") {
                guard let status = BackupEventStatus(rawValue: value) else { return bad("status", "unknown status '\(value.prefix(40))'") }
                q.statuses.append(status)
            }
            if let stanza = try params.value("stanza") {
                guard (1...64).contains(stanza.utf8.count), stanza.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    return bad("stanza", "1–64 visible ASCII characters")
                }
                q.stanza = stanza
            }
            if let repo = try params.value("repo") {
                guard let n = DecimalParsing.decimal(repo.utf8), (1...256).contains(n) else { return bad("repo", "an integer 1–256") }
                q.repo = Int(n)
            }
            // Any RFC 3339 date-time is a bound (openapi.yaml: format date-time): one beyond the
            // years 0001–9999, which hold every stored time, binds as ±infinity and selects what
            // it says. `to` not after `from` is an empty interval: an empty page, not an error
            // (JSON Schema cannot relate two parameters, and the answer is exact).
            if let from = try params.value("from") {
                guard let t = Timestamp(rfc3339: from, anyYear: true) else { return bad("from", Self.timeHint) }
                q.from = t
            }
            if let to = try params.value("to") {
                guard let t = Timestamp(rfc3339: to, anyYear: true) else { return bad("to", Self.timeHint) }
                q.to = t
            }
            if let limit = try params.value("limit") {
                guard let n = DecimalParsing.decimal(limit.utf8), (1...Int64(BackupEventQuery.maxLimit)).contains(n) else {
                    return bad("limit", "an integer 1–\(BackupEventQuery.maxLimit)")
                }
                q.limit = Int(n)
            }
            if let cursor = try params.value("cursor") {
                guard let c = BackupEventCursor(encoded: cursor) else {
                    return bad("cursor", "a next_cursor value: 22 base64url characters, the last one of A, Q, g, w")
                }
                q.after = c
            }
        } catch {
            return bad(error.parameter, "given more than once")
        }
        return .success(q)
    }
}
