import Chronology
import Compliance
import ComplianceStore
import Crypto
import Foundation
import HTTP1
import HTTPRouting
import JCS
import Postgres

/// `GET /api/compliance/audit-chain`: per organization its chain's head, newest verification and
/// newest checkpoint; for an unscoped token also the global backup_audit chain. An
/// organization-scoped token sees its own organization only.
public struct AuditChainEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator

    public init(pool: ConnectionPool, authenticator: Authenticator) {
        self.pool = pool
        self.authenticator = authenticator
    }

    public func register(in router: inout Router) {
        router.add("GET", "/api/compliance/audit-chain") { request in try await chains(request) }
    }

    func chains(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .readCompliance) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        if let problem = Problem.noParameters(request.head.query) { return problem.response() }
        let statuses = try await pool.withConnection { try await AuditChainStatusStore().statuses(organization: token.organizationID, on: $0) }
        let body = CanonicalJSON.object(["chains": .array(statuses.map(Self.json))])
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(body.text.utf8))
    }

    static func json(_ s: AuditChainStatus) -> CanonicalJSON {
        .object([
            "chain": .string(s.organizationID == nil ? "backup_audit" : "audit_logs"),
            "organization_id": s.organizationID.map(CanonicalJSON.string) ?? .null,
            "head": s.headSeq.map { seq in .object(["seq": .integer(seq), "hash": .string(Hex.encode(s.headHash ?? []))]) } ?? .null,
            "last_verification": s.lastVerification.map { v in
                .object(["verified_at": .string(v.at.rfc3339), "ok": .bool(v.ok), "entries": .integer(v.entries),
                         "problem_count": .integer(v.problemCount), "first_problem": v.firstProblem.map(CanonicalJSON.string) ?? .null])
            } ?? .null,
            "last_checkpoint": s.lastCheckpoint.map { c in
                .object(["seq": .integer(c.seq), "created_at": .string(c.createdAt.rfc3339), "key_id": .string(c.keyID),
                         "storage_key": c.storageKey.map(CanonicalJSON.string) ?? .null, "version_id": c.versionID.map(CanonicalJSON.string) ?? .null])
            } ?? .null,
        ])
    }
}
