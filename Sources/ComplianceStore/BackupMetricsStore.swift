import Chronology
import Compliance
import Postgres

/// The numbers behind the seed's Prometheus metrics (docs/backup-strategy.md §7.1), per stanza.
public struct BackupMetrics: Sendable, Equatable {
    public struct Stanza: Sendable, Equatable {
        public let name: String
        public var lastFull: Timestamp?
        public var lastDiff: Timestamp?
        public var lastRestoreTest: Timestamp?
        /// 1 when the newest restore test succeeded, 0 when it failed, nil when there was none.
        public var restoreTestSuccess: Int?
        /// Seconds the newest restore test took from start to the end of its checks (its RTO figure).
        public var restoreTestSeconds: Double?
        /// Database size of the newest successful full backup (info `size`), and its repository size.
        public var backupSizeBytes: Int64?
        public var backupRepoSizeBytes: Int64?
        /// Database size of the newest successful differential backup, and the repository bytes it
        /// added (info `repository.delta`).
        public var diffSizeBytes: Int64?
        public var diffRepoDeltaBytes: Int64?
        /// The newest DR exercise's outcome (1 passed, 0 failed) and time.
        public var drExerciseSuccess: Int?
        public var lastDRExercise: Timestamp?
        /// Failed events by event type.
        public var failures: [String: Int64] = [:]
    }

    public var stanzas: [Stanza] = []
}

public struct BackupMetricsStore: Sendable {
    public init() {}

    /// The metrics; failure counts come from `failures`, which keeps them between calls (a fresh
    /// tally counts every failure once). Events dated more than `clockSkewSeconds` ahead of the
    /// database's clock are not evidence of a backup (the same rule as worm-status, so the
    /// dashboard and the alerts agree).
    public func read(on connection: PooledConnection, failures tally: BackupFailureTally = BackupFailureTally(),
                     clockSkewSeconds: Int64 = ControlThresholds.defaultClockSkew) async throws -> BackupMetrics {
        // Distinct stanzas by a loose index scan, then index probes per stanza.
        let rows = try await connection.query("""
            WITH RECURSIVE stanzas AS (
                (SELECT stanza FROM backup_audit WHERE stanza IS NOT NULL ORDER BY stanza LIMIT 1)
                UNION ALL
                SELECT (SELECT b.stanza FROM backup_audit b WHERE b.stanza > s.stanza ORDER BY b.stanza LIMIT 1)
                FROM stanzas s WHERE s.stanza IS NOT NULL
            )
            SELECT s.stanza, f.occurred_at AS last_full, f.size_bytes, f.repo_size_bytes, d.occurred_at AS last_diff,
                   d.size_bytes AS diff_size_bytes, d.repo_delta_bytes AS diff_repo_delta_bytes,
                   r.occurred_at AS last_restore, r.status AS restore_status, r.seconds AS restore_seconds,
                   x.occurred_at AS last_exercise, x.status AS exercise_status
            FROM stanzas s
            LEFT JOIN LATERAL (
                SELECT occurred_at, size_bytes, repo_size_bytes FROM backup_audit
                WHERE stanza = s.stanza AND event_type = 'backup_full' AND status IN ('succeeded', 'completed_with_errors')
                  AND occurred_at <= now() + make_interval(secs => \(clockSkewSeconds))
                ORDER BY occurred_at DESC, seq DESC LIMIT 1) f ON true
            LEFT JOIN LATERAL (
                SELECT occurred_at, size_bytes, repo_delta_bytes FROM backup_audit
                WHERE stanza = s.stanza AND event_type = 'backup_diff' AND status IN ('succeeded', 'completed_with_errors')
                  AND occurred_at <= now() + make_interval(secs => \(clockSkewSeconds))
                ORDER BY occurred_at DESC, seq DESC LIMIT 1) d ON true
            LEFT JOIN LATERAL (
                SELECT occurred_at, status,
                       CASE WHEN details::jsonb -> 'durations' ->> 'total_seconds' ~ '^[0-9]+([.][0-9]+)?$'
                            THEN (details::jsonb -> 'durations' ->> 'total_seconds')::float8 END AS seconds
                FROM backup_audit
                WHERE stanza = s.stanza AND event_type = 'restore_test' AND status <> 'started'
                  AND occurred_at <= now() + make_interval(secs => \(clockSkewSeconds))
                ORDER BY occurred_at DESC, seq DESC LIMIT 1) r ON true
            LEFT JOIN LATERAL (
                SELECT occurred_at, status FROM backup_audit
                WHERE stanza = s.stanza AND event_type = 'dr_exercise' AND status <> 'started'
                  AND occurred_at <= now() + make_interval(secs => \(clockSkewSeconds))
                ORDER BY occurred_at DESC, seq DESC LIMIT 1) x ON true
            WHERE s.stanza IS NOT NULL
            ORDER BY s.stanza
            """)
        var metrics = BackupMetrics()
        var index: [String: Int] = [:]
        for row in rows {
            let restoreStatus = try row.decode(String?.self, "restore_status")
            var stanza = BackupMetrics.Stanza(name: try row.decode(String.self, "stanza"))
            stanza.lastFull = try row.decode(Timestamp?.self, "last_full")
            stanza.lastDiff = try row.decode(Timestamp?.self, "last_diff")
            stanza.lastRestoreTest = try row.decode(Timestamp?.self, "last_restore")
            stanza.restoreTestSuccess = restoreStatus.map { $0 == "failed" ? 0 : 1 }
            stanza.restoreTestSeconds = try row.decode(Double?.self, "restore_seconds")
            stanza.backupSizeBytes = try row.decode(Int64?.self, "size_bytes")
            stanza.backupRepoSizeBytes = try row.decode(Int64?.self, "repo_size_bytes")
            stanza.diffSizeBytes = try row.decode(Int64?.self, "diff_size_bytes")
            stanza.diffRepoDeltaBytes = try row.decode(Int64?.self, "diff_repo_delta_bytes")
            stanza.lastDRExercise = try row.decode(Timestamp?.self, "last_exercise")
            stanza.drExerciseSuccess = try row.decode(String?.self, "exercise_status").map { $0 == "failed" ? 0 : 1 }
            index[stanza.name] = metrics.stanzas.count
            metrics.stanzas.append(stanza)
        }
        for (stanza, byType) in try await tally.counts(on: connection) {
            guard let i = index[stanza] else { continue }
            metrics.stanzas[i].failures = byType
        }
        return metrics
    }
}
