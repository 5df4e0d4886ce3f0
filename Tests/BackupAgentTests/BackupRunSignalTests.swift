import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Glibc
import Postgres
import Testing

/// The wrapper's process handling with ordinary programs (no pgBackRest needed).
@Suite struct BackupRunSignalTests {
    func events(_ url: String) async throws -> [BackupEvent] {
        let pool = ConnectionPool(configuration: .init(url: url), size: 1)
        let all = try await pool.withConnection { try await BackupAuditStore().events(afterSeq: 0, limit: 1000, on: $0) }
        await pool.close()
        return all
    }

    @Test("SIGTERM to the wrapper reaches the command; the run is recorded as failed with the signal, exit 143")
    func sigterm() async throws {
        let db = try await TestEnvironment.shared.database("backup-run-signal")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = db.url
        let command = [try TestBinary.path(), "backup", "run", "--type", "check", "--stanza", "sig", "--spool", directory + "/spool.jsonl",
                       "--", "/bin/sh", "-c", "echo started; exec sleep 30"]
        let log = directory + "/out.log"
        let pid = try ProcessRunner.spawn(command, environment: environment, logPath: log)
        #expect(await eventually(within: 10) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("started") })
        let clock = ContinuousClock()
        let sent = clock.now
        kill(pid, SIGTERM)
        let status = try await Blocking.run { () -> Int32 in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status
        }
        #expect(clock.now - sent < .seconds(10), "the command did not get the signal")
        #expect((status & 0x7f) == 0 && (status >> 8) & 0xff == 143, "wrapper status \(status)")
        let run = try await events(db.url).filter { $0.stanza == "sig" }
        #expect(run.map(\.status) == [.started, .failed])
        #expect(run.last?.errorMessage == "terminated by signal 15" && run.last?.exitCode == nil && run.last?.details.contains("\"signal\":15") == true)
    }

    @Test("a command that cannot start is a failed run and exit 127; output passes through")
    func notStarted() async throws {
        let db = try await TestEnvironment.shared.database("backup-run-signal")
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let missing = try await TestBinary.run(["backup", "run", "--type", "expire", "--stanza", "nostart", "--spool", spool, "--",
                                                "/nonexistent/pgbackrest", "expire"], environment: ["DATABASE_URL": db.url])
        #expect(missing.status == 127 && missing.stderr.contains("cannot start"), "\(missing.stderr)")
        let echoed = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "echo", "--spool", spool, "--",
                                               "/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"], environment: ["DATABASE_URL": db.url])
        #expect(echoed.status == 3 && echoed.stdout.contains("to-stdout") && echoed.stderr.contains("to-stderr"))
        let all = try await events(db.url)
        #expect(all.filter { $0.stanza == "nostart" }.last?.status == .failed)
        #expect(all.filter { $0.stanza == "echo" }.last?.exitCode == 3 && all.filter { $0.stanza == "echo" }.last?.errorMessage == "exited with code 3")
        // usage errors: one line, exit 64, nothing recorded (in a database of their own: the
        // suite's other tests write to theirs at the same time)
        let quiet = try await TestEnvironment.shared.database("backup-run-usage")
        let before = try await events(quiet.url).count
        for bad in [["backup", "run", "--type", "weekly", "--", "true"], ["backup", "run", "--type", "full"],
                    ["backup", "run", "--type", "full", "--repo", "0", "--", "true"]] {
            let r = try await TestBinary.run(bad, environment: ["DATABASE_URL": quiet.url])
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1, "\(bad): \(r.stderr)")
        }
        #expect(try await events(quiet.url).count == before)
    }

    @Test("an unusable spool never costs an event while the database is up; with both down the wrapper says so and exits 1")
    func unusableSpool() async throws {
        let db = try await TestEnvironment.shared.database("backup-run-signal")
        let spool = "/proc/no-such-dir/spool.jsonl"
        let r = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "nospool", "--spool", spool, "--", "true"],
                                         environment: ["DATABASE_URL": db.url])
        #expect(r.status == 0 && r.stderr.contains("spool is unusable"), "\(r.stderr)")
        #expect(try await events(db.url).filter { $0.stanza == "nospool" }.map(\.status) == [.started, .succeeded])
        let down = "postgresql://postgres@127.0.0.1:\(try TestCluster.freePort())/x?connect_timeout=2"
        let lost = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "lost", "--spool", spool, "--", "true"],
                                            environment: ["DATABASE_URL": down])
        #expect(lost.status == 1 && lost.stderr.contains("could not be stored nor spooled"), "\(lost.stderr)")
    }
}
