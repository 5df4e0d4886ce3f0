import BackupAgent
import Chronology
import Compliance
import Foundation
import PgBackRest
import Synchronization
import Testing

/// The wrapper's orchestration with fakes for the store, the spool, the processes and the clock
/// (issue 12, item 5): every path a backup run can take, without a database or pgBackRest.
@Suite struct BackupWrapperTests {
    struct Down: Error, CustomStringConvertible { var description: String { "database down" } }

    /// `failing` calls (by number, from 1) throw; everything else is stored in order.
    final class FakeStore: EventStoring {
        let state = Mutex<(calls: Int, stored: [NewBackupEvent], walChecks: Int, closed: Bool)>((0, [], 0, false))
        let failing: Set<Int>

        init(failing: Set<Int> = []) { self.failing = failing }

        func store(_ events: [NewBackupEvent]) async throws {
            try state.withLock { s in
                s.calls += 1
                if failing.contains(s.calls) { throw Down() }
                for e in events where !s.stored.contains(where: { $0.eventID == e.eventID }) { s.stored.append(e) }
            }
        }

        func checkWalArchive(host: String?) async { state.withLock { $0.walChecks += 1 } }
        func close() async { state.withLock { $0.closed = true } }
        var stored: [NewBackupEvent] { state.withLock { $0.stored } }
    }

    final class FakeSpool: EventSpooling {
        let path = "/fake/spool.jsonl"
        let state = Mutex<(lines: [NewBackupEvent], rejectedOnNextDelivery: Int)>(([], 0))
        let full: Bool
        let unreadable: Bool

        init(full: Bool = false, unreadable: Bool = false, rejected: Int = 0) {
            self.full = full
            self.unreadable = unreadable
            state.withLock { $0.rejectedOnNextDelivery = rejected }
        }

        func append(_ event: NewBackupEvent) throws {
            if full { throw EventSpool.Failure(description: "spool \(path): write failed: No space left on device") }
            state.withLock { $0.lines.append(event) }
        }

        func deliver(_ deliver: ([NewBackupEvent]) async throws -> Void) async throws -> SpoolDelivery {
            if unreadable { throw EventSpool.Failure(description: "spool \(path): open failed: Permission denied") }
            let (pending, rejected) = state.withLock { s in (s.lines, s.rejectedOnNextDelivery) }
            guard !pending.isEmpty || rejected > 0 else { return SpoolDelivery(delivered: 0, rejected: 0) }
            if !pending.isEmpty { try await deliver(pending) }
            state.withLock { s in
                s.lines.removeFirst(pending.count)
                s.rejectedOnNextDelivery = 0
            }
            return SpoolDelivery(delivered: pending.count, rejected: rejected)
        }

        var lines: [NewBackupEvent] { state.withLock { $0.lines } }
    }

    /// Scripted results by the command's first argument after any prefix: the backup, then info.
    final class FakeProcesses: ProcessRunning {
        let results: [ChildProcess.Result]
        let calls = Mutex<[[String]]>([])

        init(_ results: [ChildProcess.Result]) { self.results = results }

        func run(_ arguments: [String], passThrough: Bool, timeout: Duration?, keepBytes: Int) async -> ChildProcess.Result {
            let n = calls.withLock { c in
                c.append(arguments)
                return c.count - 1
            }
            return results[min(n, results.count - 1)]
        }

        var ran: [[String]] { calls.withLock { $0 } }
    }

    final class FixedClock: WallClock {
        let times = Mutex<[Timestamp]>([Timestamp(rfc3339: "2026-11-26T03:00:00Z")!, Timestamp(rfc3339: "2026-11-26T03:04:05Z")!])
        func now() -> Timestamp { times.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
    }

    static func ids() -> @Sendable () -> String {
        let counter = Mutex(0)
        return { counter.withLock { n in
            n += 1
            return String(format: "00000000-0000-4000-8000-%012d", n)
        } }
    }

    func wrapper(store: FakeStore?, spool: FakeSpool, processes: FakeProcesses) -> BackupWrapper {
        BackupWrapper(store: store, unavailableReason: store == nil ? "no database configured (DATABASE_URL)" : nil, spool: spool,
                      processes: processes, clock: FixedClock(), host: "db-1", newID: Self.ids())
    }

    static func exited(_ code: Int32, stderr: String = "") -> ChildProcess.Result { .init(exit: .exited(code), stdout: "", stderr: stderr) }

    static let check = BackupWrapper.Request(kind: .check, stanza: nil, repo: nil, command: ["pgbackrest", "--stanza=main", "check"])

    @Test("database up: started then outcome stored in order, the command's code passes through, no notes")
    func databaseUp() async throws {
        let store = FakeStore()
        let report = await wrapper(store: store, spool: FakeSpool(), processes: FakeProcesses([Self.exited(0)])).run(Self.check)
        #expect(report.exitCode == 0 && report.notes.isEmpty)
        #expect(store.stored.map(\.status) == [.started, .succeeded])
        #expect(store.stored.allSatisfy { $0.stanza == "main" && $0.type == .check && $0.host == "db-1" })
        #expect(store.stored[1].startedAt == Timestamp(rfc3339: "2026-11-26T03:00:00Z") && store.stored[1].finishedAt == Timestamp(rfc3339: "2026-11-26T03:04:05Z"))
        #expect(store.state.withLock { $0.walChecks == 1 && $0.closed })
    }

    @Test("a failing command: failed with its code and ERROR line, exit code passed through", arguments: [Int32(29), 50, 63])
    func failing(code: Int32) async throws {
        let store = FakeStore()
        let error = "ERROR: [0\(code)]: something went wrong"
        let report = await wrapper(store: store, spool: FakeSpool(), processes: FakeProcesses([Self.exited(code, stderr: "P00 " + error)])).run(Self.check)
        #expect(report.exitCode == code && report.notes.isEmpty)
        #expect(store.stored.last?.status == .failed && store.stored.last?.exitCode == Int(code) && store.stored.last?.errorMessage == error)
    }

    @Test("database down at the start: the started event is spooled, then delivered before the outcome, in order")
    func downAtStart() async throws {
        let store = FakeStore(failing: [1])  // 1: the started event (an empty spool calls nothing)
        let spool = FakeSpool()
        let report = await wrapper(store: store, spool: spool, processes: FakeProcesses([Self.exited(0)])).run(Self.check)
        #expect(report.exitCode == 0)
        #expect(report.notes.count == 1 && report.notes[0].contains("started event spooled to /fake/spool.jsonl (database down)"))
        #expect(store.stored.map(\.status) == [.started, .succeeded] && spool.lines.isEmpty)
    }

    @Test("database down at the end: the outcome is spooled, the code still passes through")
    func downAtEnd() async throws {
        let store = FakeStore(failing: [2])  // 1: the started event, 2: the outcome
        let spool = FakeSpool()
        let report = await wrapper(store: store, spool: spool, processes: FakeProcesses([Self.exited(7)])).run(Self.check)
        #expect(report.exitCode == 7)
        #expect(store.stored.map(\.status) == [.started])
        #expect(spool.lines.map(\.status) == [.failed] && report.notes.contains { $0.contains("failed event spooled") })
    }

    @Test("no database configured: both events spooled, with the reason")
    func noDatabase() async throws {
        let spool = FakeSpool()
        let report = await wrapper(store: nil, spool: spool, processes: FakeProcesses([Self.exited(0)])).run(Self.check)
        #expect(report.exitCode == 0 && spool.lines.map(\.status) == [.started, .succeeded])
        #expect(report.notes.allSatisfy { $0.contains("no database configured (DATABASE_URL)") } && report.notes.count == 2)
    }

    @Test("database down and the spool full: evidence lost is exit 1 for a successful command, the command's code otherwise")
    func spoolFull() async throws {
        for (code, expected) in [(Int32(0), Int32(1)), (29, 29)] {
            let report = await wrapper(store: FakeStore(failing: Set(1...10)), spool: FakeSpool(full: true),
                                       processes: FakeProcesses([Self.exited(code)])).run(Self.check)
            #expect(report.exitCode == expected)
            #expect(report.notes.filter { $0.contains("could not be stored nor spooled") && $0.contains("No space left on device") }.count == 2)
        }
    }

    @Test("an unreadable spool never costs an event while the database is up: stored, with a warning")
    func spoolUnreadable() async throws {
        let store = FakeStore()
        let report = await wrapper(store: store, spool: FakeSpool(unreadable: true), processes: FakeProcesses([Self.exited(0)])).run(Self.check)
        #expect(report.exitCode == 0 && store.stored.count == 2)
        #expect(report.notes.count == 2 && report.notes.allSatisfy { $0.contains("spool is unusable") && $0.contains("Permission denied") })
    }

    @Test("spooled lines that cannot be read are reported, not silently set aside")
    func rejectedLines() async throws {
        let report = await wrapper(store: FakeStore(), spool: FakeSpool(rejected: 2), processes: FakeProcesses([Self.exited(0)])).run(Self.check)
        #expect(report.exitCode == 0 && report.notes == ["backup run: warning: 2 spooled lines could not be read and were moved to /fake/spool.jsonl.rejected"])
    }

    @Test("killed by a signal: failed with the signal, exit 128 + signal; not startable: failed, 127")
    func signalsAndNotStarted() async throws {
        let store = FakeStore()
        let killed = await wrapper(store: store, spool: FakeSpool(),
                                   processes: FakeProcesses([.init(exit: .signaled(15), stdout: "", stderr: "")])).run(Self.check)
        #expect(killed.exitCode == 143 && store.stored.last?.errorMessage == "terminated by signal 15")
        #expect(store.stored.last?.details.contains(#""signal":15"#) == true)
        let missing = await wrapper(store: store, spool: FakeSpool(),
                                    processes: FakeProcesses([.init(exit: .notStarted("pgbackrest: No such file or directory"), stdout: "", stderr: "")]))
            .run(Self.check)
        #expect(missing.exitCode == 127 && missing.notes == ["backup run: cannot start the command: pgbackrest: No such file or directory"])
    }

    @Test("a backup is annotated with the started event's id and read back from info for label and sizes")
    func backupWithInfo() async throws {
        // the verified 2.45 sample (docs/pgbackrest.md), kept once, with the PgBackRest tests
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PgBackRestTests/Fixtures/pgbackrest-info.sample.json")
        let json = try String(contentsOf: url, encoding: .utf8)
        let store = FakeStore()
        let processes = FakeProcesses([Self.exited(0, stderr: "INFO: new backup label = 20261126-135752F"),
                                       .init(exit: .exited(0), stdout: json, stderr: "")])
        let request = BackupWrapper.Request(kind: .full, stanza: nil, repo: nil,
                                            command: ["runuser", "-u", "postgres", "--", "pgbackrest", "--stanza=demo", "--type=full", "backup"])
        let report = await wrapper(store: store, spool: FakeSpool(), processes: processes).run(request)
        #expect(report.exitCode == 0)
        let started = try #require(store.stored.first)
        #expect(processes.ran[0] == ["runuser", "-u", "postgres", "--", "pgbackrest", "--annotation=audit_event_id=\(started.eventID!)",
                                     "--stanza=demo", "--type=full", "backup"])
        #expect(processes.ran[1].prefix(5) == ["runuser", "-u", "postgres", "--", "pgbackrest"] && processes.ran[1].last == "info")
        let outcome = try #require(store.stored.last)
        #expect(outcome.label == "20261126-135752F" && outcome.sizeBytes == 36_845_299 && outcome.walStart == "000000010000000000000004")
    }
}
