import Foundation

/// The maximum ages of the controls (the seed's schedule and RPO), configurable with
/// `serve --threshold control=duration` (or `$IMMOFLOW_THRESHOLDS`, comma-separated).
public struct ControlThresholds: Sendable, Equatable {
    /// Seed §3: a full backup every day.
    public var fullBackup: Int64 = 24 * 3600
    /// Hourly diffs plus a grace for their run time.
    public var diffBackup: Int64 = 3600 + 15 * 60
    /// RPO: 1 hour of WAL may be lost at most.
    public var walArchiveLag: Int64 = 3600
    /// Seed §6: a weekly restore test.
    public var restoreTest: Int64 = 7 * 86_400
    /// Seed §6: a monthly DR exercise.
    public var drExercise: Int64 = 31 * 86_400
    /// Seed §3: a monthly offsite copy to repo 2.
    public var offsiteCopy: Int64 = 31 * 86_400
    public var chainVerification: Int64 = 7 * 86_400
    /// How far ahead of the database's clock an event may be dated: a later one is refused when
    /// recorded and never counts as evidence (`serve --clock-skew`).
    public var clockSkew: Int64 = Self.defaultClockSkew
    public static let defaultClockSkew: Int64 = 300
    /// The largest `clockSkew` accepted: beyond an hour the "future" stops meaning anything.
    public static let maximumClockSkew: Int64 = 3600

    public init() {}

    /// The control ids a threshold can be set for (the ids of `worm-status`).
    public static let names = ["full_backup", "diff_backup", "wal_archive_lag", "restore_test",
                               "dr_exercise", "offsite_copy", "audit_chain"]

    /// Applies `control=duration` assignments (durations `90s`, `15m`, `2h`, `7d`; at most 10 years)
    /// over the defaults. Errors name the assignment and what is wrong with it.
    public init(assignments: [String]) throws(ThresholdError) {
        self.init()
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ThresholdError(assignment: assignment, reason: "expected control=duration") }
            let name = parts[0].trimmingCharacters(in: .whitespaces), value = Substring(parts[1].trimmingCharacters(in: .whitespaces))
            guard let seconds = Self.seconds(value) else {
                throw ThresholdError(assignment: assignment, reason: "duration must look like 90s, 15m, 2h or 7d (at most 10 years)")
            }
            switch name {
            case "full_backup": fullBackup = seconds
            case "diff_backup": diffBackup = seconds
            case "wal_archive_lag": walArchiveLag = seconds
            case "restore_test": restoreTest = seconds
            case "dr_exercise": drExercise = seconds
            case "offsite_copy": offsiteCopy = seconds
            case "audit_chain": chainVerification = seconds
            default:
                throw ThresholdError(assignment: assignment, reason: "unknown control; known: \(Self.names.joined(separator: ", "))")
            }
        }
    }

    /// `90s`, `15m`, `2h`, `7d` → seconds; nil for anything else, zero, or more than 10 years.
    public static func seconds(_ text: Substring) -> Int64? {
        guard let unit = text.last, text.count >= 2, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = Int64(text.dropLast()) else { return nil }
        let factor: Int64
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return nil
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: factor)
        guard !overflow, product > 0, product <= 3660 * 86_400 else { return nil }
        return product
    }
}
