import Chronology
import Compliance
import Postgres

/// Reads the evidence for the WORM/compliance dashboard: indexed probes, whatever the size of
/// the history.
public struct ComplianceEvidenceStore: Sendable {
    public init() {}

    /// The types whose newest success and newest outcome the controls need.
    static let types: [BackupEventType] = [.backupFull, .backupDiff, .restoreTest, .drExercise, .offsiteCopy, .walArchive]

    /// One statement for all backup evidence, the archiver and the chain verification (one round
    /// trip). Each type gets two LATERAL probes with the type as a SQL constant, so every probe is
    /// planned against the (event_type, occurred_at DESC, seq DESC) index even for a rare type (a
    /// generic plan over unnest() scanned the history). The constants are the enum's raw values,
    /// never client input. Planning it costs more than running it, so it runs as a prepared
    /// statement, planned once per connection (docs/measurements.md).
    ///
    /// Parameters: $1 the clock skew in seconds — an event dated more than that ahead of the
    /// database's clock is no evidence (issue 12: a row from 2036 showed a control `ok` for ten
    /// years) — and $2 the organization of a scoped token (NULL: installation-wide), which
    /// limits the chain verifications to its own and installation-wide ones.
    static let evidenceSQL: String = {
        var select: [String] = []
        var from = "FROM (SELECT 1) AS one"
        for (i, type) in types.enumerated() {
            select.append("s\(i).event_id::text AS s\(i)_id, s\(i).seq AS s\(i)_seq, s\(i).occurred_at AS s\(i)_at")
            select.append("o\(i).event_id::text AS o\(i)_id, o\(i).seq AS o\(i)_seq, o\(i).occurred_at AS o\(i)_at, o\(i).status AS o\(i)_status")
            from += """

                LEFT JOIN LATERAL (SELECT event_id, seq, occurred_at FROM backup_audit
                    WHERE event_type = '\(type.rawValue)' AND status IN ('succeeded', 'completed_with_errors')
                      AND occurred_at <= now() + make_interval(secs => $1::bigint)
                    ORDER BY occurred_at DESC, seq DESC LIMIT 1) s\(i) ON true
                LEFT JOIN LATERAL (SELECT event_id, seq, occurred_at, status FROM backup_audit
                    WHERE event_type = '\(type.rawValue)' AND status <> 'started'
                      AND occurred_at <= now() + make_interval(secs => $1::bigint)
                    ORDER BY occurred_at DESC, seq DESC LIMIT 1) o\(i) ON true
                """
        }
        // Every chain's newest verification counts (one failing organization is a violation even
        // when another was verified after it); the control's age is that of the oldest of them.
        select.append("v.verified_at AS v_at, v.ok AS v_ok, v.problem AS v_problem")
        from += """

            LEFT JOIN LATERAL (SELECT min(verified_at) AS verified_at, bool_and(ok) AS ok,
                                      (array_agg(coalesce(organization_id::text, 'backup_audit') || ': ' || coalesce(first_problem, 'problems found')
                                                 ORDER BY organization_id NULLS LAST) FILTER (WHERE NOT ok))[1] AS problem
                FROM (SELECT DISTINCT ON (organization_id, chain) organization_id, verified_at, ok, first_problem
                      FROM audit_chain_verifications
                      WHERE $2::uuid IS NULL OR organization_id IS NULL OR organization_id = $2::uuid
                      ORDER BY organization_id, chain, verified_at DESC, id DESC) latest) v ON true
            """
        // The WAL archiver of this database (docs/api.md, "WAL lag"). WAL is waiting when the
        // newest completed segment (the one before the segment being written) has not been
        // archived; then the lag is the time since the last successful archive (or since the
        // statistics reset if nothing was ever archived). Nothing waiting means a lag of 0, so an
        // idle database does not page. NULL on a standby (no current WAL position): `unknown`.
        select.append("""
            current_setting('archive_mode') <> 'off' AS a_enabled,
            CASE WHEN pg_is_in_recovery() THEN NULL ELSE (a.last_archived_wal IS NULL OR a.last_archived_wal
                < pg_walfile_name(pg_current_wal_lsn() - pg_size_bytes(current_setting('wal_segment_size')))) END AS a_waiting,
            floor(extract(epoch FROM now() - coalesce(a.last_archived_time, a.stats_reset)))::bigint AS a_since_last,
            coalesce(a.last_failed_time > coalesce(a.last_archived_time, '-infinity'), false) AS a_failing,
            a.archived_count * pg_size_bytes(current_setting('wal_segment_size')) AS a_archived_bytes
            """)
        from += "\nCROSS JOIN pg_stat_archiver a"
        return "SELECT " + select.joined(separator: ",\n") + "\n" + from
    }()

    /// The evidence at `now`. `organization`: the scope of an organization-scoped token — the
    /// export packages and chain verifications it sees are its own (backup evidence is
    /// installation-wide). `clockSkewSeconds`: how far ahead of the database's clock an event may
    /// be dated and still count.
    public func gather(on connection: PooledConnection, now: Timestamp, organization: String? = nil,
                       clockSkewSeconds: Int64 = ControlThresholds.defaultClockSkew) async throws -> ComplianceEvidence {
        var evidence = ComplianceEvidence()
        let bindings = [Int64(clockSkewSeconds).postgresBinding, organization.map { $0.postgresBinding } ?? .null(type: .uuid)]
        let row = try await connection.query(Query(unsafeSQL: Self.evidenceSQL, bindings: bindings).prepared()).single()
        for (i, type) in Self.types.enumerated() {
            var latest = ComplianceEvidence.Latest()
            if let id = try row.decode(String?.self, "s\(i)_id") {
                latest.lastSuccess = ControlEvidence(eventID: id, seq: try row.decode(Int64.self, "s\(i)_seq"),
                                                     occurredAt: try row.decode(Timestamp.self, "s\(i)_at"))
            }
            if let id = try row.decode(String?.self, "o\(i)_id"),
               let status = BackupEventStatus(rawValue: try row.decode(String.self, "o\(i)_status")) {
                latest.lastOutcome = (ControlEvidence(eventID: id, seq: try row.decode(Int64.self, "o\(i)_seq"),
                                                      occurredAt: try row.decode(Timestamp.self, "o\(i)_at")), status)
            }
            switch type {
            case .backupFull: evidence.fullBackup = latest
            case .backupDiff: evidence.diffBackup = latest
            case .restoreTest: evidence.restoreTest = latest
            case .drExercise: evidence.drExercise = latest
            case .offsiteCopy: evidence.offsiteCopy = latest
            case .walArchive: evidence.walArchive = latest
            default: break
            }
        }
        if let waiting = try row.decode(Bool?.self, "a_waiting") {
            let enabled = try row.decode(Bool.self, "a_enabled")
            let lag = enabled && waiting ? max(0, try row.decode(Int64?.self, "a_since_last") ?? 0) : 0
            evidence.archiver = .init(archivingEnabled: enabled, lagSeconds: lag, failingNow: try row.decode(Bool.self, "a_failing"),
                                      archivedBytes: try row.decode(Int64.self, "a_archived_bytes"))
        }
        if let at = try row.decode(Timestamp?.self, "v_at") {
            evidence.chainVerification = (at, try row.decode(Bool.self, "v_ok"))
            evidence.chainProblem = try row.decode(String?.self, "v_problem")
        }

        let packages = try await connection.query("""
            SELECT o.country, e.period_end, e.lock_mode, e.retain_until, e.legal_hold, e.storage_key,
                   e.last_verification_ok, e.last_verification_problem, e.last_verified_at
            FROM export_packages e JOIN organizations o ON o.id = e.organization_id
            WHERE (\(organization)::uuid IS NULL OR e.organization_id = \(organization)::uuid)
              -- packages for the WORM store, once built (a download without --worm is no retention copy)
              AND e.state = 'succeeded' AND e.worm
            """)
        let soon = now.adding(seconds: 90 * 86_400)
        for row in packages {
            evidence.exports.total += 1
            let legal = RetentionRule.legalRetainUntil(country: try row.decode(String?.self, "country") ?? "DE",
                                                       periodEnd: try row.decode(CalendarDate.self, "period_end"))
            let retainUntil = try row.decode(Timestamp?.self, "retain_until")
            if try row.decode(String?.self, "lock_mode") == "COMPLIANCE", let retainUntil, retainUntil >= legal {
                evidence.exports.locked += 1
            } else {
                evidence.exports.unlocked += 1
            }
            if let retainUntil, retainUntil > now, retainUntil <= soon { evidence.exports.expiringWithin90Days += 1 }
            if try row.decode(Bool.self, "legal_hold") { evidence.exports.legalHold += 1 }
            // The last check of the stored version (ExportLockVerifier): a failure names the object.
            if let checked = try row.decode(Timestamp?.self, "last_verified_at") {
                evidence.exports.verified += 1
                evidence.exports.lastVerification = max(evidence.exports.lastVerification ?? checked, checked)
            }
            if try row.decode(Bool?.self, "last_verification_ok") == false {
                evidence.exports.failedVerificationCount += 1
                if evidence.exports.failedVerifications.count < 5 {
                    evidence.exports.failedVerifications.append(.init(
                        object: try row.decode(String?.self, "storage_key") ?? "(no key)",
                        problem: try row.decode(String?.self, "last_verification_problem") ?? "the check failed"))
                }
            }
        }
        return evidence
    }
}
