import Chronology
import Compliance
import JCS
import PgBackRest

/// `backup run`: records a wrapped command as a `started` event and an outcome event, whatever
/// happens — the database down at the start or the end (events spooled), the spool full or
/// unreadable, the command killed. Its dependencies are protocols (store, spool, processes,
/// clock), so every path is tested without a database or pgBackRest; the CLI only builds the
/// real ones, prints the notes and exits with the code.
public struct BackupWrapper: Sendable {
    public struct Request: Sendable {
        public var kind: BackupRunKind
        public var stanza: String?
        public var repo: Int?
        public var command: [String]
        public var infoTimeout: Duration
        /// The database's fingerprint taken just before a backup (nil: none could be taken).
        public var fingerprint: CanonicalJSON?

        public init(kind: BackupRunKind, stanza: String?, repo: Int?, command: [String], infoTimeout: Duration = .seconds(120),
                    fingerprint: CanonicalJSON? = nil) {
            self.kind = kind
            self.stanza = stanza
            self.repo = repo
            self.command = command
            self.infoTimeout = infoTimeout
            self.fingerprint = fingerprint
        }
    }

    /// What the run did: the exit code the wrapper exits with, and its own lines for stderr.
    public struct Report: Sendable, Equatable {
        /// The command's own code (128 + signal, 127 not started, 124 timed out), passed through
        /// unchanged — or 1 when the command succeeded but its evidence was lost.
        public var exitCode: Int32
        /// One line each, without the program's prefix.
        public var notes: [String]
        /// The started and outcome events (as recorded or spooled).
        public var events: [NewBackupEvent]
    }

    let recorder: EventRecorder
    let store: (any EventStoring)?
    let processes: any ProcessRunning
    let clock: any WallClock
    let host: String?
    let newID: @Sendable () -> String

    public init(store: (any EventStoring)?, unavailableReason: String? = nil, spool: any EventSpooling, processes: any ProcessRunning,
                clock: any WallClock, host: String?, newID: @escaping @Sendable () -> String) {
        recorder = EventRecorder(store: store, spool: spool, unavailableReason: unavailableReason)
        self.store = store
        self.processes = processes
        self.clock = clock
        self.host = host
        self.newID = newID
    }

    public func run(_ request: Request) async -> Report {
        let line = BackupCommandLine(request.command)
        let stanza = request.stanza ?? line.option("stanza")
        // digits only (Int("+5") would pass); 1…256 as pgBackRest allows
        let repo = request.repo ?? line.option("repo").flatMap { text -> Int? in
            guard (1...3).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int(text) else { return nil }
            return (1...256).contains(n) ? n : nil
        }
        let run = BackupRun(kind: request.kind, runID: newID(), startedEventID: newID(), stanza: stanza, repo: repo, host: host,
                            startedAt: clock.now(), command: request.command, fingerprint: request.kind.createsBackup ? request.fingerprint : nil)
        var notes: [String] = []
        var evidenceLost = false
        func record(_ event: NewBackupEvent) async {
            do {
                let (outcome, delivery) = try await recorder.record(event)
                if let delivery, delivery.rejected > 0 {
                    notes.append("backup run: warning: \(delivery.rejected) spooled line\(delivery.rejected == 1 ? "" : "s") could not be read "
                        + "and \(delivery.rejected == 1 ? "was" : "were") moved to \(recorder.spool.path).rejected")
                }
                switch outcome {
                case .stored: break
                case .storedSpoolUnusable(let reason):
                    notes.append("backup run: warning: stored the \(event.status.rawValue) event, but the spool is unusable: \(reason)")
                case .spooled(let reason):
                    notes.append("backup run: \(event.status.rawValue) event spooled to \(recorder.spool.path) (\(reason))")
                }
            } catch {
                evidenceLost = true
                notes.append("backup run: the \(event.status.rawValue) event could not be stored nor spooled: \(error)")
            }
        }
        let started = run.startedEvent
        await record(started)

        let arguments = request.kind.createsBackup ? line.annotated(eventID: run.startedEventID) : request.command
        let result = await processes.run(arguments, passThrough: true, timeout: nil, keepBytes: 65_536)
        let finishedAt = clock.now()
        var info: Result<PgBackRestInfo, InfoDecodingError>?
        if request.kind.createsBackup, result.exit.succeeded, let infoCommand = line.infoCommand(stanza: stanza, repo: repo) {
            let r = await processes.run(infoCommand, passThrough: false, timeout: request.infoTimeout, keepBytes: 64 << 20)
            if r.exit.succeeded {
                do { info = .success(try PgBackRestInfo(json: Array(r.stdout.utf8))) } catch { info = .failure(error) }
            } else {
                let reason = PgBackRestOutput(r.stdout + "\n" + r.stderr).lastError ?? "exit code \(r.exit.code)"
                info = .failure(InfoDecodingError("pgbackrest info failed: \(reason)"))
            }
        }
        let outcome = run.outcome(eventID: newID(), exit: result.exit, finishedAt: finishedAt,
                                  output: PgBackRestOutput(result.stdout + "\n" + result.stderr), info: info)
        await record(outcome)
        if let store {
            await store.checkWalArchive(host: host)
            await store.close()
        }
        if case .notStarted(let reason) = result.exit { notes.append("backup run: cannot start the command: \(reason)") }
        let code: Int32 = evidenceLost && result.exit.succeeded ? 1 : result.exit.code
        return Report(exitCode: code, notes: notes, events: [started, outcome])
    }
}
