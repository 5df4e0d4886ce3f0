import HTTP1
import Chronology
import Compliance
import ComplianceStore
import Foundation
import HTTPRouting
import JCS
import Postgres

/// `GET /api/compliance/worm-status`: every control of the backup strategy with its status,
/// evidence, threshold and measured age; the overall status is the worst control.
public struct WormStatusEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    let thresholds: ControlThresholds

    public init(pool: ConnectionPool, authenticator: Authenticator, thresholds: ControlThresholds = ControlThresholds()) {
        self.pool = pool
        self.authenticator = authenticator
        self.thresholds = thresholds
    }

    public func register(in router: inout Router) {
        router.add("GET", "/api/compliance/worm-status") { request in try await status(request) }
    }

    func status(_ request: HTTPRequest) async throws -> HTTPResponse {
        let token: APIToken
        switch await authenticator.authorize(request, .readCompliance) {
        case .failure(let refusal): return refusal.response
        case .success(let t): token = t
        }
        if let problem = Problem.noParameters(request.head.query) { return problem.response() }
        let now = Timestamp(Date())
        // An organization-scoped token sees its own organization's export packages and chain
        // verifications only; backup evidence is installation-wide.
        let skew = thresholds.clockSkew
        let evidence = try await pool.withConnection {
            try await ComplianceEvidenceStore().gather(on: $0, now: now, organization: token.organizationID, clockSkewSeconds: skew)
        }
        let status = WormStatus(evidence: evidence, thresholds: thresholds, now: now)
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(status.json.text.utf8))
    }
}

extension WormStatus {
    var json: CanonicalJSON {
        .object([
            "status": .string(overall.rawValue),
            "evaluated_at": .string(evaluatedAt.rfc3339),
            "controls": .array(controls.map { c in
                .object([
                    "id": .string(c.id), "title": .string(c.title), "status": .string(c.status.rawValue),
                    "threshold_seconds": c.thresholdSeconds.map { .integer($0) } ?? .null,
                    "age_seconds": c.ageSeconds.map { .integer($0) } ?? .null,
                    "evidence": c.evidence.map { e in
                        .object(["event_id": .string(e.eventID), "seq": .integer(e.seq), "occurred_at": .string(e.occurredAt.rfc3339)])
                    } ?? .null,
                    "detail": .string(c.detail),
                ])
            }),
            "exports": .object([
                "total": .integer(Int64(exports.total)), "locked": .integer(Int64(exports.locked)),
                "unlocked": .integer(Int64(exports.unlocked)), "expiring_within_90_days": .integer(Int64(exports.expiringWithin90Days)),
                "legal_hold": .integer(Int64(exports.legalHold)),
                // The locks read back from the WORM store (serve --worm-verify-interval).
                "verified": .integer(Int64(exports.verified)), "failed_verification": .integer(Int64(exports.failedVerificationCount)),
                "last_verified_at": exports.lastVerification.map { .string($0.rfc3339) } ?? .null,
            ]),
        ])
    }
}
