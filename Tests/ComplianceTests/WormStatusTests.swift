import Chronology
import Compliance
import Testing

/// The dashboard's judgement of the evidence (pure).
@Suite struct WormStatusTests {
    static let now = Timestamp(rfc3339: "2026-11-26T12:00:00Z")!

    static func ev(_ seq: Int64, hoursAgo: Double) -> ControlEvidence {
        ControlEvidence(eventID: "e\(seq)", seq: seq, occurredAt: now.adding(seconds: -Int64(hoursAgo * 3600)))
    }

    static var healthy: ComplianceEvidence {
        var e = ComplianceEvidence()
        e.fullBackup = .init(lastSuccess: ev(1, hoursAgo: 11), lastOutcome: (ev(1, hoursAgo: 11), .succeeded))
        e.diffBackup = .init(lastSuccess: ev(2, hoursAgo: 0.5), lastOutcome: (ev(2, hoursAgo: 0.5), .succeeded))
        e.restoreTest = .init(lastSuccess: ev(3, hoursAgo: 30), lastOutcome: (ev(3, hoursAgo: 30), .succeeded))
        e.drExercise = .init(lastSuccess: ev(4, hoursAgo: 200), lastOutcome: (ev(4, hoursAgo: 200), .succeeded))
        e.offsiteCopy = .init(lastSuccess: ev(5, hoursAgo: 300), lastOutcome: (ev(5, hoursAgo: 300), .succeeded))
        e.archiver = .init(archivingEnabled: true, lagSeconds: 0, failingNow: false)
        e.chainVerification = (now.adding(seconds: -3600), true)
        e.exports.total = 2
        e.exports.locked = 2
        return e
    }

    func status(_ e: ComplianceEvidence) -> WormStatus { WormStatus(evidence: e, thresholds: ControlThresholds(), now: Self.now) }
    func control(_ s: WormStatus, _ id: String) -> ComplianceControl { s.controls.first { $0.id == id }! }

    @Test func healthyIsOK() {
        let s = status(Self.healthy)
        #expect(s.overall == .ok, "\(s.controls.filter { $0.status != .ok })")
        #expect(control(s, "full_backup").ageSeconds == 11 * 3600 && control(s, "full_backup").thresholdSeconds == 86_400)
        #expect(control(s, "full_backup").evidence?.eventID == "e1")
    }

    @Test("a full backup older than 24 h is a violation, and the overall status is the worst control")
    func staleFull() {
        var e = Self.healthy
        e.fullBackup = .init(lastSuccess: Self.ev(1, hoursAgo: 25), lastOutcome: (Self.ev(1, hoursAgo: 25), .succeeded))
        let s = status(e)
        #expect(control(s, "full_backup").status == .violation && s.overall == .violation)
    }

    @Test("a failed attempt after a fresh success is a warning; for the restore test it is a violation")
    func failedAttempts() {
        var e = Self.healthy
        e.diffBackup = .init(lastSuccess: Self.ev(2, hoursAgo: 0.9), lastOutcome: (Self.ev(9, hoursAgo: 0.1), .failed))
        e.restoreTest = .init(lastSuccess: Self.ev(3, hoursAgo: 30), lastOutcome: (Self.ev(10, hoursAgo: 1), .failed))
        let s = status(e)
        #expect(control(s, "diff_backup").status == .warning && control(s, "diff_backup").evidence?.eventID == "e9")
        #expect(control(s, "restore_test").status == .violation)
    }

    @Test("no evidence is unknown; unknown outranks warning, violation outranks both")
    func unknownAndOrder() {
        var e = Self.healthy
        e.drExercise = .init()
        e.archiver = nil
        #expect(control(status(e), "dr_exercise").status == .unknown && status(e).overall == .unknown)
        #expect(ControlStatus.ok < .warning && ControlStatus.warning < .unknown && ControlStatus.unknown < .violation)
    }

    @Test("WAL: archiving off or lag over the RPO is a violation; a failing archiver a warning")
    func wal() {
        var e = Self.healthy
        e.archiver = .init(archivingEnabled: false, lagSeconds: 0, failingNow: false)
        #expect(control(status(e), "wal_archive_lag").status == .violation)
        e.archiver = .init(archivingEnabled: true, lagSeconds: 3601, failingNow: false)
        #expect(control(status(e), "wal_archive_lag").status == .violation)
        e.archiver = .init(archivingEnabled: true, lagSeconds: 10, failingNow: true)
        #expect(control(status(e), "wal_archive_lag").status == .warning)
    }

    @Test("WAL: a recorded archive failure without a recorded recovery is the warning's evidence")
    func walEvents() {
        var e = Self.healthy
        e.walArchive = .init(lastSuccess: nil, lastOutcome: (Self.ev(9, hoursAgo: 0.2), .failed))
        let failing = control(status(e), "wal_archive_lag")
        #expect(failing.status == .warning && failing.evidence?.eventID == "e9")
        e.walArchive = .init(lastSuccess: Self.ev(10, hoursAgo: 0.1), lastOutcome: (Self.ev(10, hoursAgo: 0.1), .succeeded))
        let recovered = control(status(e), "wal_archive_lag")
        #expect(recovered.status == .ok && recovered.evidence == nil)
    }

    @Test("audit chain and export locks")
    func chainAndExports() {
        var e = Self.healthy
        e.chainVerification = (Self.now.adding(seconds: -3600), false)
        #expect(control(status(e), "audit_chain").status == .violation)
        e.chainVerification = (Self.now.adding(seconds: -8 * 86_400), true)
        #expect(control(status(e), "audit_chain").status == .warning)
        e = Self.healthy
        e.exports.total = 3
        e.exports.locked = 2
        e.exports.unlocked = 1
        #expect(control(status(e), "export_locks").status == .violation)
    }

    /// Issue 14, item 6: a package whose stored version failed its check turns the control into
    /// a violation naming the object and why, even when the table says it is locked.
    @Test("a failed verification in the WORM store is a violation that names the object")
    func failedVerification() {
        var e = ComplianceEvidence()
        e.exports.total = 3
        e.exports.locked = 3
        e.exports.failedVerificationCount = 3
        e.exports.failedVerifications = [.init(object: "exports/org-1/2024/gobd.tar.gz", problem: "the version is not locked"),
                                         .init(object: "exports/org-2/2024/gobd.tar.gz", problem: "the version does not exist")]
        let c = control(status(e), "export_locks")
        #expect(c.status == .violation)
        #expect(c.detail.contains("exports/org-1/2024/gobd.tar.gz: the version is not locked; exports/org-2/2024/gobd.tar.gz: the version does not exist (and 1 more)"))
    }

    /// Issue 12, item 8: the export-lock control reported ok with no packages at all.
    @Test("no export packages is no evidence: unknown, not ok")
    func noExportsIsUnknown() {
        var e = Self.healthy
        e.exports = ComplianceEvidence.Exports()
        let s = status(e)
        #expect(control(s, "export_locks").status == .unknown && s.overall == .unknown)
    }

    @Test("legal retain-until: DE 10 years, AT 22 years, from the end of the calendar year (§147 AO, §132 BAO)")
    func retention() {
        #expect(RetentionRule.legalRetainUntil(country: "DE", periodEnd: CalendarDate(iso: "2024-02-01")!).rfc3339Compact == "2035-01-01T00:00:00Z")
        #expect(RetentionRule.legalRetainUntil(country: "AT", periodEnd: CalendarDate(iso: "2024-12-31")!).rfc3339Compact == "2047-01-01T00:00:00Z")
    }
}
