import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import HTTP1
import HTTPRouting
import JCS
import Postgres

/// The export packages (docs/gobd-bao-export.md; openapi.yaml `/api/compliance/exports`):
///
/// - `POST /api/compliance/exports` `{organization_id, from, to, profile?, worm?}` → 202 with
///   `Location`; the package is built in the background (it survives the client that asked).
/// - `GET /api/compliance/exports` — newest first, a page at a time (`cursor`, `limit`).
/// - `GET /api/compliance/exports/{id}` — state, rows per table, size, SHA-256, lock, verification.
/// - `GET /api/compliance/exports/{id}/package` — the tar.gz: `ETag` its SHA-256, `Range` for a
///   resumed download, `Content-Disposition` with its file name.
///
/// An organization-scoped token (an auditor's always is) sees and exports only its organization:
/// another organization's export, or a request for one, is a 404 — never a 403 that would confirm
/// it exists. An unscoped admin token may export any organization.
public struct ExportsEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    let jobs: ExportScheduling?
    static let bodyLimit = 4 * 1024

    public init(pool: ConnectionPool, authenticator: Authenticator, jobs: ExportScheduling?) {
        self.pool = pool
        self.authenticator = authenticator
        self.jobs = jobs
    }

    public func register(in router: inout Router) {
        router.add("POST", "/api/compliance/exports", bodyLimit: Self.bodyLimit) { request in try await create(request) }
        router.add("GET", "/api/compliance/exports") { request in try await list(request) }
        router.add("GET", "/api/compliance/exports/:id") { request in try await show(request) }
        router.add("GET", "/api/compliance/exports/:id/package") { request in try await package(request) }
    }

    static func notFound(_ what: String) -> HTTPResponse {
        Problem(status: 404, code: "not_found", detail: what).response()
    }

    // MARK: POST

    /// What a request asks for.
    struct Input: Equatable {
        var organizationID: String
        var from: CalendarDate
        var to: CalendarDate
        var profile: String?
        var worm: Bool
    }

    static let members: Set<String> = ["organization_id", "from", "to", "profile", "worm"]

    /// The request body, or the problem with it (415, 400 naming the field).
    static func parse(contentType: [String], body: [UInt8]) -> Result<Input, Problem> {
        guard contentType.count == 1, let mediaType = contentType[0].split(separator: ";").first,
              mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json" else {
            return .failure(Problem(status: 415, code: "unsupported_media_type", detail: "send the request as Content-Type: application/json"))
        }
        func field(_ name: String, _ why: String) -> Result<Input, Problem> {
            var p = Problem(status: 400, code: "invalid_field", detail: "\(name): \(why)")
            p.extensions["field"] = .string(name)
            return .failure(p)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(body, mode: .strict) } catch { return .failure(Problem(status: 400, code: "invalid_body", detail: error.description)) }
        guard let object = json.members else { return .failure(Problem(status: 400, code: "invalid_body", detail: "the body must be a JSON object")) }
        if let unknown = object.first(where: { !members.contains($0.key) }) { return field(unknown.key, "unknown member") }
        guard let org = json["organization_id"]?.string, let uuid = UUID(uuidString: org) else { return field("organization_id", "required: a UUID") }
        guard let fromText = json["from"]?.string, let from = CalendarDate(iso: fromText) else { return field("from", "required: a date YYYY-MM-DD") }
        guard let toText = json["to"]?.string, let to = CalendarDate(iso: toText) else { return field("to", "required: a date YYYY-MM-DD") }
        if to < from { return field("to", "\(to.iso) is before from \(from.iso)") }
        if let problem = ExportPeriod.problem(from: from, to: to) { return field("to", problem) }
        var profile: String?
        if let p = json["profile"], !p.isNull {
            guard let text = p.string, text == "gobd" || text == "bao" else { return field("profile", "gobd or bao") }
            profile = text
        }
        var worm = false
        if let w = json["worm"], !w.isNull {
            guard let b = w.bool else { return field("worm", "true or false") }
            worm = b
        }
        return .success(Input(organizationID: uuid.uuidString.lowercased(), from: from, to: to, profile: profile, worm: worm))
    }

    func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .readExports) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        if let problem = Problem.noParameters(request.head.query) { return problem.response() }
        let input: Input
        switch Self.parse(contentType: request.headers.values("Content-Type"), body: request.body) {
        case .failure(let problem): return problem.response()
        case .success(let i): input = i
        }
        // Another organization than the token's: as if it did not exist.
        if let scope = token.organizationID, scope != input.organizationID { return Self.notFound("no organization \(input.organizationID)") }
        guard let jobs, jobs.unavailableReason == nil else {
            return Problem(status: 503, code: "exports_unavailable", detail: jobs?.unavailableReason ?? "this server builds no export packages").response()
        }
        if input.worm && !jobs.wormConfigured {
            return Problem(status: 409, code: "worm_not_configured",
                           detail: "worm was requested, but this server has no WORM store (IMMOFLOW_WORM_BUCKET)").response()
        }
        let requestedBy = "token:\(token.name)"
        let created = try await pool.withConnection { connection in
            try await ExportStore().create(organization: input.organizationID, from: input.from, to: input.to, profile: input.profile, worm: input.worm,
                                           requestedBy: requestedBy, state: .queued, now: Timestamp(Date()), on: connection)
        }
        guard let record = created else { return Self.notFound("no organization \(input.organizationID)") }
        await jobs.submit(record)
        var headers = HTTPHeaders()
        headers.set("Location", "/api/compliance/exports/\(record.id)")
        return HTTPResponse(status: 202, contentType: "application/json", body: Array(ExportJSON.object(record).text.utf8), headers: headers)
    }

    // MARK: GET

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .readExports) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        let query: (organization: String?, after: (Timestamp, String)?, limit: Int)
        switch Self.listQuery(request.head.query) {
        case .failure(let problem): return problem.response()
        case .success(let q): query = q
        }
        if let scope = token.organizationID, let asked = query.organization, asked != scope {
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(#"{"exports":[],"next_cursor":null}"#.utf8))
        }
        let organization = token.organizationID ?? query.organization
        let page = try await pool.withConnection {
            try await ExportStore().page(organization: organization, after: query.after, limit: query.limit + 1, on: $0)
        }
        let shown = Array(page.prefix(query.limit))
        let next: CanonicalJSON = page.count > query.limit ? .string(ExportJSON.cursor(shown.last!)) : .null
        let body = CanonicalJSON.object(["exports": .array(shown.map(ExportJSON.object)), "next_cursor": next])
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(body.text.utf8))
    }

    static func listQuery(_ text: String?) -> Result<(organization: String?, after: (Timestamp, String)?, limit: Int), Problem> {
        let params: QueryParameters
        do { params = try QueryParameters(text) } catch { return .failure(.invalidParameter(error.parameter, "not valid percent-encoded UTF-8")) }
        if let unknown = params.unknown(["organization", "cursor", "limit"]).first { return .failure(.invalidParameter(unknown, "unknown parameter")) }
        do {
            var organization: String?
            if let given = try params.value("organization") {
                guard let uuid = UUID(uuidString: given) else { return .failure(.invalidParameter("organization", "a UUID")) }
                organization = uuid.uuidString.lowercased()
            }
            var limit = 50
            if let given = try params.value("limit") {
                guard let n = DecimalParsing.decimal(given.utf8), (1...200).contains(n) else { return .failure(.invalidParameter("limit", "an integer 1–200")) }
                limit = Int(n)
            }
            var after: (Timestamp, String)?
            if let cursor = try params.value("cursor") {
                guard let c = ExportJSON.parseCursor(cursor) else { return .failure(.invalidParameter("cursor", "a next_cursor value")) }
                after = c
            }
            return .success((organization, after, limit))
        } catch {
            return .failure(.invalidParameter(error.parameter, "given more than once"))
        }
    }

    /// An export as the token may see it, or the response refusing it.
    enum Visible {
        case record(ExportRecord)
        case refused(HTTPResponse)
    }

    /// The export `:id` as the token may see it, or the response refusing it.
    func visible(_ request: HTTPRequest) async throws -> Visible {
        let token: APIToken
        switch await authenticator.authorize(request, .readExports) {
        case .failure(let refusal): return .refused(refusal.response)
        case .success(let t): token = t
        }
        if let problem = Problem.noParameters(request.head.query) { return .refused(problem.response()) }
        let id = request.pathParameters["id"] ?? ""
        let found = try await pool.withConnection { try await ExportStore().get(id.lowercased(), organization: token.organizationID, on: $0) }
        guard let record = found else { return .refused(Self.notFound("no export \(id.prefix(64))")) }
        return .record(record)
    }

    func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch try await visible(request) {
        case .refused(let response): return response
        case .record(let record):
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(ExportJSON.object(record).text.utf8))
        }
    }

    // MARK: the package

    func package(_ request: HTTPRequest) async throws -> HTTPResponse {
        let record: ExportRecord
        switch try await visible(request) {
        case .refused(let response): return response
        case .record(let r): record = r
        }
        guard record.state == .succeeded, let sha = record.sha256, let size = record.size else {
            var p = Problem(status: 409, code: "export_not_ready",
                            detail: record.state == .failed ? "the export failed: \(record.error ?? "")" : "the export is \(record.state.rawValue); ask again later")
            p.extensions["state"] = .string(record.state.rawValue)
            return p.response()
        }
        guard let jobs, let path = try await jobs.packageFile(record) else {
            return Problem(status: 410, code: "package_gone", detail: "the package file is no longer kept here and is not in the WORM store").response()
        }
        let etag = "\"\(Hex.encode(sha))\""
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/gzip")
        headers.set("ETag", etag)
        headers.set("Accept-Ranges", "bytes")
        headers.set("Content-Disposition", "attachment; filename=\"\(record.fileName ?? "\(record.id).tar.gz")\"")
        headers.set("Cache-Control", "private, no-transform")
        // RFC 9110 §13.1.2: If-None-Match with our (strong) tag → 304.
        let noneMatch = request.headers.values("If-None-Match").joined(separator: ",")
        if !noneMatch.isEmpty, noneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            headers.remove("Content-Type")
            return HTTPResponse(status: 304, headers: headers)
        }
        var range = ByteRange.parse(request.headers.values("Range"), size: size)
        // §13.1.5: If-Range with another validator than ours → the whole representation.
        if let ifRange = request.headers.values("If-Range").first, ifRange.trimmingCharacters(in: .whitespaces) != etag { range = .whole }
        switch range {
        case .unsatisfiable:
            var h = HTTPHeaders()
            h.set("Content-Range", "bytes */\(size)")
            return Problem(status: 416, code: "range_not_satisfiable", detail: "the package has \(size) bytes").response(headers: h)
        case .whole:
            return HTTPResponse(status: 200, headers: headers, body: .sized(Int(size), Self.producer(path, offset: 0, length: size)))
        case .part(let first, let last):
            headers.set("Content-Range", "bytes \(first)-\(last)/\(size)")
            return HTTPResponse(status: 206, headers: headers, body: .sized(Int(last - first + 1), Self.producer(path, offset: first, length: last - first + 1)))
        }
    }

    /// Writes `length` bytes of the file at `path` from `offset`, 256 KiB at a time.
    static func producer(_ path: String, offset: Int64, length: Int64) -> HTTPResponse.Producer {
        { writer in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw PackageUnreadable(reason: "cannot open \(path)") }
            defer { close(fd) }
            var at = offset, left = length
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            while left > 0 {
                let want = Int(min(Int64(buffer.count), left))
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw PackageUnreadable(reason: "\(path) ended early") }
                try await writer.write(Array(buffer[0..<n]))
                at += Int64(n)
                left -= Int64(n)
            }
        }
    }

    /// A package file that failed while it was sent (the head is out: the response is cut).
    struct PackageUnreadable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }
}
