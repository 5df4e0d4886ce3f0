import HTTP1
import Chronology
import Compliance
import ComplianceStore
import Foundation
import Glibc
import HTTPRouting
import Postgres

/// `GET /api/metrics`: Prometheus text format 0.0.4 with the seed's metric names (labelled by
/// `stanza`), the compliance controls, export lock counts, HTTP request metrics and process
/// metrics. Open by default; with `requireToken` it needs a token allowed `read_metrics`.
public struct MetricsEndpoint: Sendable {
    let pool: ConnectionPool
    let authenticator: Authenticator
    let http: HTTPMetrics
    let requireToken: Bool
    let thresholds: ControlThresholds
    /// Failure counts kept between scrapes (each scrape counts only new events).
    let failures = BackupFailureTally()
    static let startTime = Date().timeIntervalSince1970

    public init(pool: ConnectionPool, authenticator: Authenticator, http: HTTPMetrics, requireToken: Bool,
                thresholds: ControlThresholds = ControlThresholds()) {
        self.pool = pool
        self.authenticator = authenticator
        self.http = http
        self.requireToken = requireToken
        self.thresholds = thresholds
        _ = Self.startTime
    }

    public func register(in router: inout Router) {
        router.add("GET", "/api/metrics") { request in try await metrics(request) }
    }

    func metrics(_ request: HTTPRequest) async throws -> HTTPResponse {
        // With a token, an organization-scoped one sees its own organization's aggregates only.
        var organization: String?
        if requireToken {
            switch await authenticator.authorize(request, .readMetrics) {
            case .failure(let refusal): return refusal.response
            case .success(let token): organization = token.organizationID
            }
        }
        let now = Timestamp(Date())
        let skew = thresholds.clockSkew
        var out = ""
        do {
            let (backups, evidence, chains) = try await pool.withConnection { c in
                (try await BackupMetricsStore().read(on: c, failures: failures, clockSkewSeconds: skew),
                 try await ComplianceEvidenceStore().gather(on: c, now: now, organization: organization, clockSkewSeconds: skew),
                 try await AuditChainStatusStore().statuses(organization: organization, on: c))
            }
            out += Self.backupLines(backups, archiver: evidence.archiver)
            out += Self.complianceLines(WormStatus(evidence: evidence, thresholds: thresholds, now: now))
            out += Self.auditChainLines(chains)
            out += Self.gauge("immoflow_database_up", "1 when the metrics could be read from the database.", [("", 1)])
        } catch {
            // The process and HTTP metrics still go out; the backup series are absent, which the
            // seed's alerts cannot mistake for fresh backups.
            out += Self.gauge("immoflow_database_up", "1 when the metrics could be read from the database.", [("", 0)])
        }
        out += http.render()
        out += Self.gauge("immoflow_build_info", "Always 1; the labels say which build answers.",
                          [("version=\"\(PrometheusText.escape(BuildInfo.version))\"", 1)])
        out += Self.processLines()
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(out.utf8))
    }

    static func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)], type: String = "gauge") -> String {
        guard !samples.isEmpty else { return "" }
        var out = "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples {
            out += sample.labels.isEmpty ? "\(name) \(PrometheusText.number(sample.value))\n"
                : "\(name){\(sample.labels)} \(PrometheusText.number(sample.value))\n"
        }
        return out
    }

    static func seconds(_ t: Timestamp) -> Double { Double(t.microsecondsSinceEpoch) / 1_000_000 }
    static func stanza(_ name: String) -> String { "stanza=\"\(PrometheusText.escape(name))\"" }

    static func backupLines(_ m: BackupMetrics, archiver: ComplianceEvidence.Archiver?) -> String {
        var out = ""
        out += gauge("pgbackrest_backup_last_full_timestamp", "Unix time of the newest successful full backup.",
                     m.stanzas.compactMap { s in s.lastFull.map { (stanza(s.name), seconds($0)) } })
        out += gauge("pgbackrest_backup_last_diff_timestamp", "Unix time of the newest successful differential backup.",
                     m.stanzas.compactMap { s in s.lastDiff.map { (stanza(s.name), seconds($0)) } })
        if let archiver, archiver.archivingEnabled {
            out += gauge("pgbackrest_wal_archive_lag_seconds",
                         "Seconds WAL has waited for archiving (0 when nothing waits; from pg_stat_archiver).",
                         m.stanzas.map { (stanza($0.name), Double(archiver.lagSeconds)) })
        }
        out += gauge("pgbackrest_wal_archiving_up", "1 when WAL archiving is on and pg_stat_archiver could be read.",
                     [("", archiver?.archivingEnabled == true ? 1 : 0)])
        out += gauge("pgbackrest_restore_test_success", "1 when the newest restore test succeeded, 0 when it failed.",
                     m.stanzas.compactMap { s in s.restoreTestSuccess.map { (stanza(s.name), Double($0)) } })
        out += gauge("pgbackrest_restore_test_last_timestamp", "Unix time of the newest restore test outcome.",
                     m.stanzas.compactMap { s in s.lastRestoreTest.map { (stanza(s.name), seconds($0)) } })
        out += gauge("pgbackrest_restore_test_duration_seconds", "Seconds the newest restore test took, restore to checks (the measured RTO).",
                     m.stanzas.compactMap { s in s.restoreTestSeconds.map { (stanza(s.name), $0) } })
        out += gauge("pgbackrest_dr_exercise_success", "1 when the newest DR exercise passed, 0 when it failed.",
                     m.stanzas.compactMap { s in s.drExerciseSuccess.map { (stanza(s.name), Double($0)) } })
        out += gauge("pgbackrest_dr_exercise_last_timestamp", "Unix time of the newest DR exercise outcome.",
                     m.stanzas.compactMap { s in s.lastDRExercise.map { (stanza(s.name), seconds($0)) } })
        out += gauge("pgbackrest_backup_size_bytes", "Database size of the newest successful full backup.",
                     m.stanzas.compactMap { s in s.backupSizeBytes.map { (stanza(s.name), Double($0)) } })
        out += gauge("pgbackrest_backup_repo_size_bytes", "Repository bytes of the newest successful full backup.",
                     m.stanzas.compactMap { s in s.backupRepoSizeBytes.map { (stanza(s.name), Double($0)) } })
        // Beyond the seed: its two size series mean the newest full only, and pgbackrest_exporter
        // uses both names with other labels (deploy/prometheus/README.md); new series are immoflow_*.
        out += gauge("immoflow_backup_last_size_bytes", "Database size of the newest successful backup of each type.",
                     m.stanzas.flatMap { s in
                         [(s.backupSizeBytes, "full"), (s.diffSizeBytes, "diff")].compactMap { v, type in
                             v.map { ("\(stanza(s.name)),type=\"\(type)\"", Double($0)) } } })
        out += gauge("immoflow_backup_last_repo_delta_bytes",
                     "Repository bytes the newest successful backup of each type added (a full: its whole repository size).",
                     m.stanzas.flatMap { s in
                         [(s.backupRepoSizeBytes, "full"), (s.diffRepoDeltaBytes, "diff")].compactMap { v, type in
                             v.map { ("\(stanza(s.name)),type=\"\(type)\"", Double($0)) } } })
        if let archiver {
            out += gauge("immoflow_wal_archived_bytes_total",
                         "WAL bytes archived since the statistics reset (pg_stat_archiver archived_count × wal_segment_size).",
                         [("", Double(archiver.archivedBytes))], type: "counter")
        }
        out += gauge("pgbackrest_backup_failures_total", "Failed backup-related events recorded, by event type.",
                     m.stanzas.flatMap { s in s.failures.sorted { $0.key < $1.key }.map { ("\(stanza(s.name)),type=\"\($0.key)\"", Double($0.value)) } },
                     type: "counter")
        return out
    }

    static func complianceLines(_ status: WormStatus) -> String {
        var out = gauge("compliance_control_status", "Status of each compliance control: 0 ok, 1 warning, 2 unknown, 3 violation.",
                        status.controls.map { ("control=\"\($0.id)\"", Double($0.status.metricValue)) })
        out += gauge("compliance_status", "The worst control status (0 ok … 3 violation).", [("", Double(status.overall.metricValue))])
        let e = status.exports
        out += gauge("compliance_export_packages", "Export packages by lock state.",
                     [("state=\"locked\"", Double(e.locked)), ("state=\"unlocked\"", Double(e.unlocked)),
                      ("state=\"expiring_within_90_days\"", Double(e.expiringWithin90Days)), ("state=\"legal_hold\"", Double(e.legalHold)),
                      ("state=\"verified\"", Double(e.verified)), ("state=\"failed_verification\"", Double(e.failedVerificationCount))])
        if let last = e.lastVerification {
            out += gauge("compliance_export_last_verification_timestamp_seconds",
                         "When an export package's lock was last read back from the WORM store (Unix time).", [("", Double(last.secondsSinceEpoch))])
        }
        return out
    }

    /// Per chain (`chain="audit_logs"` with its organization, or `chain="backup_audit"`): whether
    /// its newest verification found it intact, when that was, how many entries it verified, and
    /// when its newest checkpoint was signed. Chains never verified have no samples.
    static func auditChainLines(_ chains: [AuditChainStatus]) -> String {
        func labels(_ c: AuditChainStatus) -> String {
            c.organizationID.map { "chain=\"audit_logs\",organization=\"\($0)\"" } ?? "chain=\"backup_audit\",organization=\"\""
        }
        let verified = chains.filter { $0.lastVerification != nil }
        var out = gauge("compliance_audit_chain_ok", "1 when the chain's newest verification found it intact, 0 when it found problems.",
                        verified.map { (labels($0), $0.lastVerification!.ok ? 1 : 0) })
        out += gauge("compliance_audit_chain_last_verification_timestamp_seconds", "When the chain was last verified (Unix time).",
                     verified.map { (labels($0), Double($0.lastVerification!.at.secondsSinceEpoch)) })
        out += gauge("compliance_audit_chain_entries_verified", "Entries the chain's newest verification read.",
                     verified.map { (labels($0), Double($0.lastVerification!.entries)) })
        out += gauge("compliance_audit_chain_last_checkpoint_timestamp_seconds", "When the chain's head was last signed into the WORM store (Unix time).",
                     chains.compactMap { c in c.lastCheckpoint.map { (labels(c), Double($0.createdAt.secondsSinceEpoch)) } })
        return out
    }

    static func processLines() -> String {
        var out = ""
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kib = Double(line.filter(\.isNumber)) {
            out += gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [("", kib * 1024)])
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            out += gauge("process_open_fds", "Number of open file descriptors.", [("", Double(fds.count))])
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
                out += gauge("process_cpu_seconds_total", "User and system CPU time in seconds.", [("", (user + system) / ticks)], type: "counter")
            }
        }
        out += gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", [("", startTime.rounded())])
        return out
    }
}
