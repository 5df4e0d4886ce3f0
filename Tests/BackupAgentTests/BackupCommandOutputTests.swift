import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Postgres
import Testing

/// What the backup commands print and exit with, exactly (issue 12, item 1): cron mails every
/// byte, so a run that went well prints nothing, a wrapped command's code passes through
/// silently, and a failure is one line that says what happened — never `ExitCode(rawValue: …)`
/// or "see --help".
@Suite struct BackupCommandOutputTests {
    func spool() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).jsonl").path
    }

    @Test("a successful run prints nothing at all; a failed command's code passes through with only its own output")
    func runOutput() async throws {
        let db = try await TestEnvironment.shared.database("backup-command-output")
        let path = spool()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ok = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "quiet", "--spool", path, "--", "true"],
                                          environment: ["DATABASE_URL": db.url])
        #expect(ok.status == 0 && ok.stdout == "" && ok.stderr == "", "stdout \(ok.stdout.debugDescription) stderr \(ok.stderr.debugDescription)")
        let failed = try await TestBinary.run(["backup", "run", "--type", "check", "--stanza", "quiet", "--spool", path, "--",
                                               "/bin/sh", "-c", "echo 'P00  ERROR: [029]: bad cipher' >&2; exit 29"],
                                              environment: ["DATABASE_URL": db.url])
        #expect(failed.status == 29 && failed.stdout == "" && failed.stderr == "P00  ERROR: [029]: bad cipher\n",
                "stderr \(failed.stderr.debugDescription)")
    }

    @Test("backup ingest with an unhealthy stanza: exit 1, its own lines only")
    func ingestOutput() async throws {
        let db = try await TestEnvironment.shared.database("backup-command-output")
        let unhealthy = #"[{"name":"broken","status":{"code":1,"message":"missing stanza path","lock":{"backup":{"held":false}}},"backup":[],"archive":[],"db":[],"cipher":"none","repo":[{"key":1,"cipher":"none","status":{"code":1,"message":"missing stanza path"}}]}]"#
        let file = spool()
        try unhealthy.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try await TestBinary.run(["backup", "ingest", "--info-json", file], environment: ["DATABASE_URL": db.url])
        #expect(r.status == 1 && r.stdout == "", "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("immoflow-compliance: backup ingest: ") }, "\(r.stderr)")
        #expect(!r.stderr.contains("ExitCode") && !r.stderr.contains("--help"))
    }

    @Test("backup flush that set lines aside: exit 1 and one line saying so; the readable events are delivered")
    func flushWithRejectedLines() async throws {
        let db = try await TestEnvironment.shared.database("backup-command-output")
        let path = spool()
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".rejected")
        }
        let id = UUID().uuidString.lowercased()
        let good = NewBackupEvent(eventID: id, type: .check, status: .succeeded, stanza: "flush-rejected").json.text
        try (good + "\nnot json at all\n").write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await TestBinary.run(["backup", "flush", "--spool", path], environment: ["DATABASE_URL": db.url])
        #expect(r.status == 1 && r.stdout == "", "\(r.stderr)")
        #expect(r.stderr == "immoflow-compliance: backup flush: delivered 1 event from \(path); 1 line could not be read and was moved to \(path).rejected\n")
        #expect(try String(contentsOfFile: path + ".rejected", encoding: .utf8) == "not json at all\n")
        let pool = db.pool(size: 1)
        #expect(try await pool.query("SELECT count(*) AS n FROM backup_audit WHERE event_id = \(id)::uuid").single().decode(Int.self, "n") == 1)
        await pool.close()
        // a second flush has nothing left to complain about
        let again = try await TestBinary.run(["backup", "flush", "--spool", path], environment: ["DATABASE_URL": db.url])
        #expect(again.status == 0 && again.stderr == "immoflow-compliance: backup flush: delivered 0 events from \(path)\n")
    }
}
