import Chronology
import Compliance
import Foundation
import ComplianceStore
import Crypto
import HTTP1
import HTTPRouting
import JCS
import Postgres

/// `POST /api/compliance/backup-events` (role `operator`): records one event sent by a tool that
/// is not our wrapper (a DR runbook, a restore-test script on another host). The body is the
/// JSON form of `NewBackupEvent` (openapi.yaml `NewBackupEvent`); unknown members are refused.
///
/// `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header; a quoted sf-string or a bare
/// token of 1–200 visible ASCII characters): the first request stores the event (201), a retry
/// with the same key and the same body gets the stored event again (200), the same key with a
/// different body is a 409. "The same body" means the same JSON after canonicalization
/// (RFC 8785), so whitespace and member order do not matter. The key is stored with the event
/// as `api:<key>` (UNIQUE; the prefix keeps clients out of the keys `backup ingest` and the WAL
/// monitor use), so two concurrent retries cannot both insert.
public struct RecordBackupEventEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    /// Seconds an event may be dated ahead of the database's clock (`ControlThresholds.clockSkew`).
    let clockSkew: Int64
    static let bodyLimit = 64 * 1024

    public init(pool: ConnectionPool, authenticator: Authenticator, clockSkew: Int64 = ControlThresholds.defaultClockSkew) {
        self.pool = pool
        self.authenticator = authenticator
        self.clockSkew = clockSkew
    }

    public func register(in router: inout Router) {
        router.add("POST", "/api/compliance/backup-events", bodyLimit: Self.bodyLimit) { request in try await record(request) }
    }

    func record(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .recordBackupEvents) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        if token.organizationID != nil {
            var headers = HTTPHeaders()
            headers.set("WWW-Authenticate", Authenticator.challenge + #", error="insufficient_scope""#)
            return Problem(status: 403, code: "forbidden",
                           detail: "backup events are installation-wide; an organization-scoped token cannot record them")
                .response(headers: headers)
        }
        let event: NewBackupEvent
        switch Self.parse(contentType: request.headers.values("Content-Type"), idempotencyKey: request.headers.values("Idempotency-Key"),
                          body: request.body) {
        case .failure(let problem): return problem.response()
        case .success(let parsed): event = parsed
        }
        let skew = clockSkew
        let outcome = try await pool.withConnection { connection -> Result<(BackupEvent, Bool), Problem> in
            // Evidence from the future: a time more than the skew ahead of the database's clock
            // would show a control fresh for years (issue 12, item 7).
            let now = try await connection.query("SELECT now() AS now").single().decode(Timestamp.self, "now")
            if let problem = Self.future(event, now: now, skew: skew) { return .failure(problem) }
            return .success(try await BackupAuditStore().appendIdempotent(event, on: connection))
        }
        let stored: BackupEvent, created: Bool
        switch outcome {
        case .failure(let problem): return problem.response()
        case .success(let result): (stored, created) = result
        }
        if !created, stored.requestSHA256 != event.requestSHA256 {
            return Problem(status: 409, code: "idempotency_key_reused",
                           detail: "this Idempotency-Key was used with a different request body").response()
        }
        var writer = JSONWriter(capacity: 1024)
        RecordJSONWriter.write(stored, to: &writer)
        return HTTPResponse(status: created ? 201 : 200, contentType: "application/json", body: writer.bytes)
    }

    /// A 400 naming the first of `occurred_at`, `started_at`, `finished_at` that lies more than
    /// `skew` seconds after `now`, or nil.
    static func future(_ event: NewBackupEvent, now: Timestamp, skew: Int64) -> Problem? {
        let limit = now.adding(seconds: skew)
        for (name, time) in [("occurred_at", event.occurredAt), ("started_at", event.startedAt), ("finished_at", event.finishedAt)] {
            guard let time, time > limit else { continue }
            var p = Problem(status: 400, code: "invalid_field",
                            detail: "\(name): \(time.rfc3339) is in the future (more than \(skew) s after the database's clock, \(now.rfc3339))")
            p.extensions["field"] = .string(name)
            return p
        }
        return nil
    }

    /// The JSON a request's hash is taken over: canonical (RFC 8785 member order), with top-level
    /// `null` members dropped (null means absent, so adding one does not make another request)
    /// and numbers with a zero fraction written as integers (`5.0` is `5`, as JSON Schema and
    /// RFC 8785's number serialization have it).
    static func requestIdentity(_ json: JSONValue) -> CanonicalJSON {
        func normalized(_ v: JSONValue) -> JSONValue {
            switch v {
            case .number: return v.exactInteger.map { .integer($0) } ?? v
            case .array(let items): return .array(items.map(normalized))
            case .object(let members): return .object(members.map { (key: $0.key, value: normalized($0.value)) })
            default: return v
            }
        }
        guard case .object(let members) = json else { return normalized(json).canonical }
        return normalized(.object(members.filter { !$0.value.isNull })).canonical
    }

    /// The event to store (with its idempotency key and request hash), or the 400/415 problem.
    public static func parse(contentType: [String], idempotencyKey: [String], body: [UInt8]) -> Result<NewBackupEvent, Problem> {
        guard contentType.count == 1, let mediaType = contentType[0].split(separator: ";").first,
              mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json" else {
            return .failure(Problem(status: 415, code: "unsupported_media_type", detail: "send the event as Content-Type: application/json"))
        }
        var key: String?
        switch idempotencyKey.count {
        case 0: break
        case 1:
            guard let parsed = Self.idempotencyKey(idempotencyKey[0]) else {
                var p = Problem(status: 400, code: "invalid_header",
                                detail: "Idempotency-Key must be a quoted string or a token of 1–200 visible ASCII characters")
                p.extensions["header"] = .string("Idempotency-Key")
                return .failure(p)
            }
            key = parsed
        default:
            var p = Problem(status: 400, code: "invalid_header", detail: "Idempotency-Key given more than once")
            p.extensions["header"] = .string("Idempotency-Key")
            return .failure(p)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(body, mode: .strict)
        } catch {
            return .failure(Problem(status: 400, code: "invalid_body", detail: error.description))
        }
        var event: NewBackupEvent
        do {
            event = try NewBackupEvent(json: json)
        } catch {
            var p = Problem(status: 400, code: "invalid_field", detail: error.description)
            p.extensions["field"] = .string(error.field)
            return .failure(p)
        }
        event.idempotencyKey = key.map { "api:" + $0 }
        event.requestSHA256 = SHA256.hash(Array(requestIdentity(json).text.utf8))
        return .success(event)
    }

    /// An sf-string (`"…"`, RFC 8941 §3.3.3, with `\"` and `\\` escapes) or a bare token.
    static func idempotencyKey(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        if bytes.first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return nil }
            var i = 1
            while i < bytes.count - 1 {
                var b = bytes[i]
                if b == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count - 1, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "\\") else { return nil }
                    b = bytes[i]
                } else if b == UInt8(ascii: "\"") {
                    return nil
                }
                guard b >= 0x20, b < 0x7F else { return nil }
                out.append(b)
                i += 1
            }
        } else {
            guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) else { return nil }
            out = bytes
        }
        guard (1...200).contains(out.count) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}
