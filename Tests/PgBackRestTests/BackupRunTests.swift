import Chronology
import Compliance
import JCS
import PgBackRest
import Testing

/// Events of one wrapped run (pure): started, then the outcome judged by the wrapper rules.
@Suite struct BackupRunTests {
    static let start = Timestamp(secondsSinceEpoch: 1_795_701_600)
    static let end = Timestamp(secondsSinceEpoch: 1_795_701_604)

    func run(_ kind: BackupRunKind, started: String = "42") -> BackupRun {
        BackupRun(kind: kind, runID: "5e0e4a5e-1d7c-4b8a-9a55-1a2b3c4d5e6f", startedEventID: started, stanza: "demo", repo: nil,
                  host: "db-1", startedAt: Self.start,
                  command: ["pgbackrest", "--stanza=demo", "--type=incr", "--repo1-cipher-pass=secret", "backup"])
    }

    func info() throws -> PgBackRestInfo { try PgBackRestInfo(json: try PgBackRestInfoTests.fixture("pgbackrest-info-extended.sample")) }

    @Test func startedEventCarriesTheRedactedCommand() throws {
        let e = run(.incr).startedEvent
        #expect(e.eventID == "42" && e.status == .started && e.type == .backupIncr && e.occurredAt == Self.start && e.host == "db-1")
        #expect(!e.details.contains("secret") && e.details.contains("<redacted>"))
    }

    @Test("exit 0: label, sizes and WAL range from the annotated set in info")
    func succeeded() throws {
        let e = run(.incr).outcome(eventID: "o1", exit: .exited(0), finishedAt: Self.end, output: PgBackRestOutput(""), info: .success(try info()))
        #expect(e.status == .succeeded && e.exitCode == 0 && e.label == "20261126-135752F_20261126-140001I")
        #expect(e.sizeBytes == 79_419_122 && e.deltaBytes == 58_425_609 && e.repoSizeBytes == 23_742_288 && e.repoDeltaBytes == 21_202_736)
        #expect(e.walStart == "00000001000000000000000D" && e.lsnStart == "0/D000028" && e.repo == 1)
        #expect(e.startedAt == Self.start && e.finishedAt == Self.end && e.runID == run(.incr).runID)
        let details = try JSONParser.parse(Array(e.details.utf8))
        #expect(details["duration_ms"] == .integer(4000) && details["pgbackrest_version"] == .string("2.45"))
    }

    @Test("info error:true → completed_with_errors")
    func checksumErrors() throws {
        let e = run(.incr, started: "43").outcome(eventID: "o1", exit: .exited(0), finishedAt: Self.end, output: PgBackRestOutput(""),
                                                  info: .success(try info()))
        #expect(e.status == .completedWithErrors && e.label == "20261126-135752F_20261126-140120I" && e.errorMessage != nil)
    }

    @Test("without the annotation, the 'new backup label' line finds the set")
    func labelFallback() throws {
        let output = PgBackRestOutput("INFO: new backup label = 20261126-135752F_20261126-135806D")
        let e = run(.diff, started: "nope").outcome(eventID: "o1", exit: .exited(0), finishedAt: Self.end, output: output, info: .success(try info()))
        #expect(e.label == "20261126-135752F_20261126-135806D" && e.sizeBytes == 38_270_707 && e.status == .succeeded)
    }

    @Test func failedWithErrorLine() {
        let output = PgBackRestOutput("ERROR: [029]: unable to load info file '/r/backup/demo/backup.info' or '/r/backup/demo/backup.info.copy':")
        let e = run(.full).outcome(eventID: "o1", exit: .exited(29), finishedAt: Self.end, output: output, info: nil)
        #expect(e.status == .failed && e.exitCode == 29 && e.errorMessage?.hasPrefix("ERROR: [029]: unable to load info file") == true)
        #expect(e.label == nil && e.sizeBytes == nil)
    }

    @Test func otherEndings() {
        let quiet = PgBackRestOutput("")
        let signaled = run(.full).outcome(eventID: "o", exit: .signaled(9), finishedAt: Self.end, output: quiet, info: nil)
        #expect(signaled.status == .failed && signaled.exitCode == nil && signaled.errorMessage == "terminated by signal 9")
        #expect(ProcessExit.signaled(9).code == 137 && ProcessExit.notStarted("x").code == 127 && ProcessExit.timedOut(seconds: 1).code == 124)
        let missing = run(.check).outcome(eventID: "o", exit: .notStarted("pgbackrest: No such file or directory"), finishedAt: Self.end,
                                          output: quiet, info: nil)
        #expect(missing.status == .failed && missing.errorMessage?.contains("No such file") == true)
        let check = run(.check).outcome(eventID: "o", exit: .exited(0), finishedAt: Self.end, output: quiet, info: nil)
        #expect(check.status == .succeeded && check.type == .check && check.label == nil)
    }

    @Test("a successful backup stays succeeded when info cannot be read; the reason is kept")
    func infoUnavailable() throws {
        let e = run(.full).outcome(eventID: "o", exit: .exited(0), finishedAt: Self.end,
                                   output: PgBackRestOutput("INFO: new backup label = 20261126-135752F"),
                                   info: .failure(InfoDecodingError("pgbackrest info failed: timeout")))
        #expect(e.status == .succeeded && e.label == "20261126-135752F" && e.details.contains("unavailable"))
    }

    @Test("every outcome event is valid input for the store and the spool")
    func roundTrip() throws {
        let e = run(.incr).outcome(eventID: "0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11", exit: .exited(0), finishedAt: Self.end,
                                   output: PgBackRestOutput(""), info: .success(try info()))
        let back = try NewBackupEvent(json: try JSONParser.parse(Array(e.json.text.utf8)), allowEventID: true)
        #expect(back == e)
    }
}
