import API
import Chronology
import Compliance
import ComplianceStore
import Crypto
import Dispatch
import Export
import Foundation
import HTTPServer
import ObjectStoreClient
import Postgres

/// The monthly DR exercise's steps beyond the restore test (seed §7.3): the API server started
/// against the restored database and probed (`/health`, `/health/ready`, `/api/metrics` answer
/// 200), and an export package of one organization built from it and verified offline — the whole
/// chain from a restored backup to an auditor's valid package.
public struct DRExercise: Sendable {
    public let key: Ed25519PrivateKey
    /// The organization exported (nil: the first of the restored database).
    public let organization: String?
    public let from: CalendarDate
    public let to: CalendarDate
    public let generator: String

    public init(key: Ed25519PrivateKey, organization: String?, from: CalendarDate, to: CalendarDate, generator: String) {
        self.key = key
        self.organization = organization
        self.from = from
        self.to = to
        self.generator = generator
    }

    public func steps(_ cluster: RestoredCluster) async -> [ExerciseStep] {
        await probeAPI(cluster) + [await exportPackage(cluster)]
    }

    /// The application served on a loopback port over the restored database, probed over HTTP.
    func probeAPI(_ cluster: RestoredCluster) async -> [ExerciseStep] {
        let app = APIServer.makeApplication(.init(readinessPool: cluster.pool, pool: cluster.pool, authenticator: Authenticator(hasher: nil, pool: cluster.pool)),
                                            corsOrigins: [], accessLog: nil)
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        } catch {
            return [ExerciseStep("api", ok: false, "the API server did not start: \(error)")]
        }
        server.start()
        var steps: [ExerciseStep] = []
        for (path, must) in [("/health", "\"status\""), ("/health/ready", "\"up\""), ("/api/metrics", "immoflow_build_info")] {
            let url = "http://127.0.0.1:\(server.port)\(path)"
            do {
                let a = try await OffPool.run { () throws(ObjectStoreError) in try WebRequest.send(url, timeout: 10) }
                steps.append(a.status == 200 && String(decoding: a.body, as: UTF8.self).contains(must)
                    ? ExerciseStep("GET \(path)", ok: true, "200, \(a.body.count) bytes")
                    : ExerciseStep("GET \(path)", ok: false, "\(a.status): \(String(decoding: a.body.prefix(200), as: UTF8.self))"))
            } catch {
                steps.append(ExerciseStep("GET \(path)", ok: false, "\(error)"))
            }
        }
        await server.shutdown()
        return steps
    }

    /// One organization's package built from the restored database and verified like an auditor would.
    func exportPackage(_ cluster: RestoredCluster) async -> ExerciseStep {
        do {
            let org: String
            if let organization {
                org = organization
            } else {
                guard let first = try await cluster.pool.query("SELECT min(id::text) AS id FROM organizations").first?.decode(String?.self, "id") else {
                    return ExerciseStep("export", ok: false, "the restored database has no organization")
                }
                org = first
            }
            let path = cluster.directory + "/exercise-package.tar.gz"
            defer { unlink(path) }
            let request = ExportRequest(exportID: UUID().uuidString.lowercased(), organizationID: org, from: from, to: to, profile: nil,
                                        createdAt: Timestamp(Date()))
            let sink = try FileSink(path: path)
            let built = try await PackageBuilder(pool: cluster.pool, key: key, generator: generator, scratch: cluster.directory)
                .build(request) { try sink.write($0) }
            try sink.close()
            let pinned = key.publicKey
            let report: PackageReport
            do { report = try await OffPool.run { () throws(PackageVerifier.Unreadable) in try PackageVerifier.verifyFile(path, pinned: pinned) } } catch {
                return ExerciseStep("export", ok: false, "verify-package could not read the package: \(error.message)")
            }
            guard report.valid else {
                return ExerciseStep("export", ok: false, "verify-package: \(report.findingCount) findings, first: \(report.findings.first?.description ?? "?")")
            }
            return ExerciseStep("export", ok: true, "organization \(org), \(from.iso) to \(to.iso): \(built.size) bytes, "
                + "\(built.rows["audit_logs"] ?? 0) audit entries, verify-package valid")
        } catch {
            return ExerciseStep("export", ok: false, "\(error)")
        }
    }
}
