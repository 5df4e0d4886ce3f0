import Archive
import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import HTTP1
import HTTPRouting
import JCS
import Postgres

/// `GET /api/compliance/audit-logs`: one organization's change log in chain order, every hashed
/// field in its hashed rendering (`occurred_at` as the 27-byte UTC text, `payload` as stored)
/// with `prev_hash` and `hash`, so a dashboard can show it and anyone can recompute the chain
/// from the JSON (docs/audit-chain.md §3). Filters on time, actor, action and entity; keyset
/// pages by seq; JSON or CSV. `organization` is required (a chain is an organization's); an
/// organization-scoped token may name only its own.
public struct AuditLogsEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    static let known: Set<String> = ["organization", "from", "to", "actor", "action", "entity", "limit", "cursor"]

    public init(pool: ConnectionPool, authenticator: Authenticator) {
        self.pool = pool
        self.authenticator = authenticator
    }

    public func register(in router: inout Router) {
        router.add("GET", "/api/compliance/audit-logs") { request in try await list(request) }
    }

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .readCompliance) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        let query: AuditLogQuery
        switch Self.parse(request.head.query) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return problem.response()
        }
        if let scope = token.organizationID, scope != query.organizationID {
            var headers = HTTPHeaders()
            headers.set("WWW-Authenticate", Authenticator.challenge + #", error="insufficient_scope""#)
            return Problem(status: 403, code: "forbidden", detail: "this token reads its own organization's audit log only").response(headers: headers)
        }
        let representation = BackupEventsEndpoint.negotiate(request)
        if representation == .none {
            return Problem(status: 406, code: "not_acceptable",
                           detail: "available as \(BackupEventsEndpoint.offered.joined(separator: " or ")); see the Accept header").response()
        }
        // PostgreSQL text cannot hold NUL, so a filter with one matches no row: the empty page,
        // without asking the database (which would refuse the parameter).
        let impossible = [query.actor, query.action, query.entity].contains { $0?.utf8.contains(0) == true }
        let (entries, more) = impossible ? ([], false) : try await pool.withConnection { try await AuditLogStore().page(query, on: $0) }
        let next = more ? entries.last.map { AuditLogQuery.cursor(after: $0.seq) } : nil
        if representation == .csv {
            var headers = HTTPHeaders()
            if let next { headers.set("X-Next-Cursor", next) }
            return HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: Self.csv(entries), headers: headers)
        }
        let body = CanonicalJSON.object(["organization_id": .string(query.organizationID), "entries": .array(entries.map(Self.json)),
                                         "next_cursor": next.map(CanonicalJSON.string) ?? .null])
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(body.text.utf8))
    }

    static let columns = ["organization_id", "seq", "occurred_at", "actor", "action", "entity", "entity_id", "payload", "prev_hash", "hash"]

    static func json(_ e: AuditEntry) -> CanonicalJSON {
        .object(["organization_id": .string(e.organizationID), "seq": .integer(e.seq), "occurred_at": .string(e.occurredAt.rfc3339),
                 "actor": .string(e.actor), "action": .string(e.action), "entity": .string(e.entity), "entity_id": .string(e.entityID),
                 "payload": .string(e.payload), "prev_hash": .string(Hex.encode(e.prevHash)), "hash": .string(Hex.encode(e.hash))])
    }

    /// RFC 4180 with the header line; fields by `CSVField` (a value a spreadsheet would run as a
    /// formula gets a leading `'`: recompute from the JSON, which has every byte).
    static func csv(_ entries: [AuditEntry]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + entries.count * 400)
        out += Array(columns.joined(separator: ",").utf8) + [0x0D, 0x0A]
        for e in entries {
            let fields = [e.organizationID, e.occurredAt.rfc3339, e.actor, e.action, e.entity, e.entityID, e.payload, Hex.encode(e.prevHash), Hex.encode(e.hash)]
            CSVField.append(text: fields[0].utf8, to: &out)
            out.append(UInt8(ascii: ","))
            CSVField.append(number: e.seq, to: &out)
            for field in fields.dropFirst() {
                out.append(UInt8(ascii: ","))
                CSVField.append(text: field.utf8, to: &out)
            }
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// The query, or a 400 problem naming the first bad parameter.
    static func parse(_ text: String?) -> Result<AuditLogQuery, Problem> {
        func bad(_ name: String, _ why: String) -> Result<AuditLogQuery, Problem> { .failure(.invalidParameter(name, why)) }
        let params: QueryParameters
        do { params = try QueryParameters(text) } catch { return bad(error.parameter, "not valid percent-encoded UTF-8") }
        if let unknown = params.unknown(known).first { return bad(unknown, "unknown parameter") }
        do {
            guard let given = try params.value("organization") else { return bad("organization", "required: the organization whose audit log to read") }
            guard let uuid = UUID(uuidString: given) else { return bad("organization", "a UUID") }
            let organization = uuid.uuidString.lowercased()
            var q = AuditLogQuery(organizationID: organization)
            if let from = try params.value("from") {
                guard let t = Timestamp(rfc3339: from, anyYear: true) else { return bad("from", BackupEventsEndpoint.timeHint) }
                q.from = t
            }
            if let to = try params.value("to") {
                guard let t = Timestamp(rfc3339: to, anyYear: true) else { return bad("to", BackupEventsEndpoint.timeHint) }
                q.to = t
            }
            for name in ["actor", "action", "entity"] {
                guard let value = try params.value(name) else { continue }
                // Characters as JSON Schema's maxLength counts them (code points), not bytes.
                guard (1...200).contains(value.unicodeScalars.count) else { return bad(name, "1–200 characters") }
                switch name {
                case "actor": q.actor = value
                case "action": q.action = value
                default: q.entity = value
                }
            }
            if let limit = try params.value("limit") {
                guard let n = DecimalParsing.decimal(limit.utf8), (1...Int64(AuditLogQuery.maxLimit)).contains(n) else {
                    return bad("limit", "an integer 1–\(AuditLogQuery.maxLimit)")
                }
                q.limit = Int(n)
            }
            if let cursor = try params.value("cursor") {
                guard let seq = AuditLogQuery.seq(cursor: cursor) else { return bad("cursor", "a next_cursor value: 11 base64url characters") }
                q.afterSeq = seq
            }
            return .success(q)
        } catch {
            return bad(error.parameter, "given more than once")
        }
    }
}
