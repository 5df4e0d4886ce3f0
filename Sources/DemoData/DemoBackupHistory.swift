import Chronology
import Compliance
import JCS

/// A backup history that follows the seed's schedule (docs: backup-strategy §3 and §7.3), for
/// the last `days` days before `now`, with a few realistic failures:
///
/// - full backup daily 00:30, diff hourly 01:00–23:00 (not at 03:00 on Sundays, when the
///   weekly full + check runs), expire Sundays 05:00, offsite copy to repo 2 on the 1st at 04:00,
///   restore test Mondays 05:00, DR exercise on the first Saturday of the month at 06:00.
///
/// Every run is two events with one `run_id`: `started`, then the outcome.
///
/// The history runs up to `now` itself (runs that finished by then), so the dashboard of a demo
/// does not depend on the minute it was started. Its failures are chosen so that the demo
/// demonstrates: the daily full of three days ago failed (a held lock, rc 50) and the next one
/// recovered, about 1.5 % of the other runs fail at random, and none in the last `quietHours`
/// (a demo opens on a healthy dashboard, its failures one query away).
public struct DemoBackupHistory: Sendable {
    public let now: Timestamp
    public let days: Int
    public let seed: UInt64
    public var stanza = "prod"
    public var host = "db-prod-1"
    /// No random failures among the runs that started in these last hours.
    public var quietHours: Int64 = 3
    /// The daily full this many days ago fails (nil: no planted failure).
    public var failedFullDaysAgo: Int? = 3

    public init(now: Timestamp, days: Int, seed: UInt64) {
        self.now = now
        self.days = days
        self.seed = seed
    }

    /// A scheduled job: what, when (seconds after midnight UTC), on which repo.
    struct Job {
        let type: BackupEventType
        let second: Int
        let repo: Int
    }

    static func jobs(on date: CalendarDate) -> [Job] {
        let weekday = (date.daysSinceEpoch + 4) % 7   // 1970-01-01 was a Thursday; 0 = Sunday
        let (_, _, day) = date.components
        var jobs = [Job(type: .backupFull, second: 30 * 60, repo: 1)]
        for hour in 1...23 where !(weekday == 0 && hour == 3) {
            jobs.append(Job(type: .backupDiff, second: hour * 3600, repo: 1))
        }
        if weekday == 0 {
            jobs.append(Job(type: .backupFull, second: 3 * 3600, repo: 1))
            jobs.append(Job(type: .check, second: 3 * 3600 + 900, repo: 1))
            jobs.append(Job(type: .expire, second: 5 * 3600, repo: 1))
        }
        if day == 1 { jobs.append(Job(type: .offsiteCopy, second: 4 * 3600, repo: 2)) }
        if weekday == 1 { jobs.append(Job(type: .restoreTest, second: 5 * 3600, repo: 1)) }
        if weekday == 6 && day <= 7 { jobs.append(Job(type: .drExercise, second: 6 * 3600, repo: 1)) }
        return jobs.sorted { $0.second < $1.second }
    }

    /// The events, oldest first. Runs that would not have finished by `now` are left out.
    public func events() -> [NewBackupEvent] {
        var rng = SeededGenerator(seed: seed).derived(4)
        let today = Int(now.secondsSinceEpoch / 86_400)
        var events: [NewBackupEvent] = []
        var dbSize: Int64 = 2_140_000_000
        var walSegment: Int64 = 0xA_0000_0000 / 0x100
        var lastFull: (label: String, repoSize: Int64)?
        let windowStart = now.adding(seconds: -Int64(days) * 86_400)
        // One day before the window too, so the first diffs in it have a full to refer to.
        for dayNumber in (today - days - 1)...today {
            let date = CalendarDate(daysSinceEpoch: dayNumber)
            dbSize += Int64(rng.int(2_000_000...9_000_000))
            var diffDelta: Int64 = 0
            for job in Self.jobs(on: date) {
                let start = Timestamp(secondsSinceEpoch: Int64(dayNumber) * 86_400 + Int64(job.second) + Int64(rng.int(0...20)))
                let duration = Self.duration(job.type, &rng)
                let finish = start.adding(seconds: duration)
                guard finish <= now else { continue }
                let runID = rng.uuid()
                var failure = Self.failure(job.type, &rng)
                if start > now.adding(seconds: -quietHours * 3600) { failure = nil }
                if job.type == .backupFull, job.second == 30 * 60, let daysAgo = failedFullDaysAgo, dayNumber == today - daysAgo {
                    failure = (50, "ERROR: [050]: unable to acquire lock on file '/tmp/pgbackrest/prod-backup.lock': Resource temporarily unavailable")
                }
                var started = NewBackupEvent(eventID: rng.uuid(), runID: runID, type: job.type, status: .started,
                                             occurredAt: start, stanza: stanza, repo: job.repo, startedAt: start, host: host)
                var outcome = started
                outcome.eventID = rng.uuid()
                outcome.status = failure == nil ? .succeeded : .failed
                outcome.occurredAt = finish
                outcome.finishedAt = finish
                outcome.exitCode = failure?.code ?? 0
                outcome.errorMessage = failure?.message
                walSegment += Int64(rng.int(1...4))
                let walStart = Self.segment(walSegment)
                walSegment += 1
                let walStop = Self.segment(walSegment)
                if failure == nil {
                    switch job.type {
                    case .backupFull, .offsiteCopy:
                        let label = Self.label(start, suffix: "F")
                        let repoSize = dbSize * Int64(rng.int(30...34)) / 100
                        outcome.label = label
                        outcome.sizeBytes = dbSize
                        outcome.deltaBytes = dbSize
                        outcome.repoSizeBytes = repoSize
                        outcome.repoDeltaBytes = repoSize
                        outcome.walStart = walStart
                        outcome.walStop = walStop
                        outcome.lsnStart = Self.lsn(walSegment - 1)
                        outcome.lsnStop = Self.lsn(walSegment)
                        if job.type == .backupFull {
                            lastFull = (label, repoSize)
                            diffDelta = 0
                        }
                    case .backupDiff:
                        diffDelta += Int64(rng.int(8_000_000...60_000_000))
                        let repoDelta = diffDelta * Int64(rng.int(28...36)) / 100
                        outcome.label = lastFull.map { "\($0.label)_\(Self.label(start, suffix: "D"))" }
                        outcome.sizeBytes = dbSize
                        outcome.deltaBytes = diffDelta
                        outcome.repoSizeBytes = (lastFull?.repoSize ?? 0) + repoDelta
                        outcome.repoDeltaBytes = repoDelta
                        outcome.walStart = walStart
                        outcome.walStop = walStop
                        outcome.lsnStart = Self.lsn(walSegment - 1)
                        outcome.lsnStop = Self.lsn(walSegment)
                    case .restoreTest, .drExercise:
                        outcome.label = lastFull?.label
                        outcome.details = CanonicalJSON.object([
                            "target_time": .string(start.adding(seconds: -600).rfc3339Compact),
                            "duration_seconds": .integer(duration),
                            // as `dr restore-test` records them (pgbackrest_restore_test_duration_seconds)
                            "durations": .object(["restore_seconds": .string("\(duration * 6 / 10).000"),
                                                  "recovery_seconds": .string("\(duration / 10).000"),
                                                  "total_seconds": .string("\(duration).000")]),
                            "verified_rows": .object(["organizations": .integer(Int64(rng.int(4...40))),
                                                      "audit_logs": .integer(Int64(rng.int(20_000...90_000)))]),
                            "steps": .array(["restore", "pg_ctl start", "promote", "assertions"].map { .string($0) }),
                        ]).text
                    case .expire:
                        outcome.details = CanonicalJSON.object(["expired_backups": .integer(Int64(rng.int(0...2)))]).text
                    default:
                        break
                    }
                } else if job.type == .restoreTest || job.type == .drExercise {
                    outcome.details = CanonicalJSON.object(["failed_step": .string("promote")]).text
                }
                started.details = CanonicalJSON.object(["trigger": .string("scheduled")]).text
                if start >= windowStart {
                    events.append(started)
                    events.append(outcome)
                }
            }
        }
        return events.sorted { ($0.occurredAt ?? now) < ($1.occurredAt ?? now) }
    }

    static func duration(_ type: BackupEventType, _ rng: inout SeededGenerator) -> Int64 {
        switch type {
        case .backupFull, .offsiteCopy: return Int64(rng.int(300...780))
        case .backupDiff: return Int64(rng.int(40...200))
        case .check: return Int64(rng.int(1...4))
        case .expire: return Int64(rng.int(1...10))
        case .restoreTest: return Int64(rng.int(240...600))
        case .drExercise: return Int64(rng.int(1800...4200))
        default: return 5
        }
    }

    /// About 1.5 % of runs fail, with the exit codes and ERROR lines pgBackRest really prints.
    static func failure(_ type: BackupEventType, _ rng: inout SeededGenerator) -> (code: Int, message: String)? {
        guard rng.chance(0.015) else { return nil }
        switch type {
        case .restoreTest, .drExercise:
            return (1, "ERROR: promotion did not finish within 300s")
        case .check:
            return (82, "ERROR: [082]: WAL segment 000000010000000A000000F3 was not archived before the 60000ms timeout")
        default:
            return rng.pick([
                (50, "ERROR: [050]: unable to acquire lock on file '/tmp/pgbackrest/prod-backup.lock': Resource temporarily unavailable"),
                (82, "ERROR: [082]: WAL segment 000000010000000A000000F3 was not archived before the 60000ms timeout"),
                (56, "ERROR: [056]: unable to find primary cluster - cannot proceed"),
            ])
        }
    }

    /// pgBackRest backup label time part: `YYYYMMDD-HHMMSS` + type letter.
    static func label(_ t: Timestamp, suffix: String) -> String {
        let text = t.rfc3339
        let digits = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        return "\(digits.prefix(8))-\(digits.dropFirst(9).prefix(6))\(suffix)"
    }

    static func segment(_ n: Int64) -> String {
        let log = n / 0x100, seg = n % 0x100
        return "00000001" + hex8(log) + hex8(seg)
    }

    static func lsn(_ n: Int64) -> String {
        "\(String(n / 0x100, radix: 16, uppercase: true))/\(String((n % 0x100) << 24 | 0x28, radix: 16, uppercase: true))"
    }

    private static func hex8(_ v: Int64) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}
