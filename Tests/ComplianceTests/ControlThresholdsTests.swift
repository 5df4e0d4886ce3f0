import Chronology
import Compliance
import Testing

/// `serve --threshold control=duration` parsing (pure).
@Suite struct ControlThresholdsTests {
    @Test func defaultsFollowTheSeedSchedule() throws {
        let t = try ControlThresholds(assignments: [])
        #expect(t == ControlThresholds())
        #expect(t.fullBackup == 86_400 && t.diffBackup == 4_500 && t.walArchiveLag == 3_600)
        #expect(t.restoreTest == 7 * 86_400 && t.drExercise == 31 * 86_400 && t.offsiteCopy == 31 * 86_400)
    }

    @Test func everyControlCanBeSet() throws {
        let t = try ControlThresholds(assignments: [
            "full_backup=25h", "diff_backup=75m", "wal_archive_lag=1800s", "restore_test=8d",
            "dr_exercise=35d", "offsite_copy=32d", " audit_chain = 2d ",
        ])
        #expect(t.fullBackup == 90_000)
        #expect(t.diffBackup == 4_500)
        #expect(t.walArchiveLag == 1_800)
        #expect(t.restoreTest == 8 * 86_400)
        #expect(t.drExercise == 35 * 86_400)
        #expect(t.offsiteCopy == 32 * 86_400)
        #expect(t.chainVerification == 2 * 86_400)
    }

    @Test func laterAssignmentsWin() throws {
        #expect(try ControlThresholds(assignments: ["full_backup=1h", "full_backup=2h"]).fullBackup == 7_200)
    }

    @Test(arguments: [
        ("full_backup", "expected control=duration"),
        ("full_backup=", "duration must"),
        ("full_backup=24", "duration must"),
        ("full_backup=-1h", "duration must"),
        ("full_backup=+1h", "duration must"),
        ("full_backup=0h", "duration must"),
        ("full_backup=1w", "duration must"),
        ("full_backup=1.5h", "duration must"),
        ("full_backup=3661d", "duration must"),
        ("full_backup=99999999999999999999d", "duration must"),
        ("full_backup=١h", "duration must"),
        ("backup_full=24h", "unknown control"),
        ("=24h", "unknown control"),
    ])
    func badAssignmentsAreNamed(assignment: String, reason: String) {
        #expect(throws: ThresholdError.self) { try ControlThresholds(assignments: [assignment]) }
        do {
            _ = try ControlThresholds(assignments: ["diff_backup=2h", assignment])
        } catch {
            #expect(error.assignment == assignment)
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func aThresholdChangesTheJudgement() throws {
        let now = Timestamp(rfc3339: "2026-11-26T12:00:00Z")!
        var e = ComplianceEvidence()
        let ev = ControlEvidence(eventID: "e1", seq: 1, occurredAt: now.adding(seconds: -2 * 3600))
        e.diffBackup = .init(lastSuccess: ev, lastOutcome: (ev, .succeeded))
        let strict = WormStatus(evidence: e, thresholds: ControlThresholds(), now: now)
        let relaxed = WormStatus(evidence: e, thresholds: try ControlThresholds(assignments: ["diff_backup=3h"]), now: now)
        let before = strict.controls.first(where: { $0.id == "diff_backup" })
        let after = relaxed.controls.first(where: { $0.id == "diff_backup" })
        #expect(before?.status == .violation)
        #expect(after?.status == .ok)
        #expect(after?.thresholdSeconds == Int64(3 * 3600))
    }
}
