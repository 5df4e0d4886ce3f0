import ComplianceTesting
import Foundation
import Testing

/// `deploy/`: the seed's §3 schedule through the wrapper, as cron and systemd, checked with the
/// real tools (sh, systemd-analyze, pgbackrest), each required: a missing one fails the test.
@Suite struct DeployFilesTests {
    static let root = URL(fileURLWithPath: TestEnvironment.migrationsDirectory).deletingLastPathComponent().path

    /// `systemd-analyze ARGUMENTS` (the systemd package; tools/test.sh installs it): a test that
    /// needs it fails, saying so, when it is missing.
    static func systemdAnalyze(_ arguments: [String]) async throws -> ProcessRunner.Outcome {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw HarnessError("systemd-analyze is not installed (apt-get install systemd; tools/test.sh installs it)")
        }
        return try await Blocking.run { try ProcessRunner.run(["/usr/bin/systemd-analyze"] + arguments) }
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: root + "/deploy/" + path, encoding: .utf8) }

    /// The cron file's jobs: schedule (5 fields) and command (after the user).
    static func cronJobs() throws -> [(schedule: String, user: String, command: String)] {
        try read("cron/immoflow-backup").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // A job starts with its minute field (a digit or '*'); variables and comments do not.
            guard let first = fields.first?.first, first.isNumber || first == "*", fields.count > 6 else { return nil }
            return (fields[0..<5].joined(separator: " "), String(fields[5]), fields[6...].joined(separator: " "))
        }
    }

    @Test("cron: the seed's five times, each through `backup run` with the right type, as postgres")
    func cron() async throws {
        let jobs = try Self.cronJobs()
        let expected: [(String, [String])] = [
            ("30 0 * * *", ["--type full -- pgbackrest --stanza=prod --type=full backup"]),
            ("0 1-23 * * *", ["--type diff -- pgbackrest --stanza=prod --type=diff backup"]),
            ("0 3 * * 0", ["--type full -- pgbackrest --stanza=prod --type=full backup", "&& $RUN --type check -- pgbackrest --stanza=prod check"]),
            ("0 4 1 * *", ["--type offsite --repo 2 -- pgbackrest --stanza=prod --type=full --repo=2 backup"]),
            ("0 5 * * 0", ["--type expire -- pgbackrest --stanza=prod expire"]),
        ]
        for (schedule, fragments) in expected {
            let job = try #require(jobs.first { $0.schedule == schedule }, "no job at \(schedule)")
            #expect(job.user == "postgres")
            for fragment in fragments { #expect(job.command.contains(fragment), "\(schedule): \(job.command)") }
        }
        let lines = try Self.read("cron/immoflow-backup").split(separator: "\n")
        let run = try #require(lines.first { $0.hasPrefix("RUN=") })
        let utcCheck = try #require(lines.first { $0.hasPrefix("UTC_CHECK=") })
        #expect(run.contains("immoflow-compliance backup run") && run.contains("flock -w"))
        #expect(jobs.allSatisfy { $0.command.contains("$UTC_CHECK; ") })
        // every job is valid shell: the line cron runs, and the script its `sh -c "…"` runs once
        // the outer shell has put in the values of $RUN and $UTC_CHECK (taken as text, as a
        // shell expands a variable inside double quotes)
        let values = ["$RUN": String(run.dropFirst(4)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                      "$UTC_CHECK": String(utcCheck.dropFirst("UTC_CHECK=".count))]
        for job in jobs {
            let outer = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-n", "-c", job.command]) }
            #expect(outer.status == 0, "\(job.schedule): \(outer.stderr)")
            let start = try #require(job.command.range(of: "sh -c \""))
            let end = try #require(job.command.range(of: "\" >>", options: .backwards))
            var inner = String(job.command[start.upperBound..<end.lowerBound])
            for (name, value) in values { inner = inner.replacingOccurrences(of: name, with: value) }
            let script = inner
            let check = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-n", "-c", script]) }
            #expect(check.status == 0, "\(job.schedule): \(check.stderr)")
        }
    }

    /// Issue 12, item 11: Debian 12's cron ignores CRON_TZ (its crontab(5) knows SHELL and
    /// MAILTO only), so the schedule ran in the host's zone while the file claimed UTC.
    @Test("cron: no CRON_TZ to rely on; every job warns when the host is not on UTC, and is silent when it is")
    func cronTimeZone() async throws {
        let lines = try Self.read("cron/immoflow-backup").split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("CRON_TZ") || $0.hasPrefix("TZ=") })
        let check = String(try #require(lines.first { $0.hasPrefix("UTC_CHECK=") }).dropFirst("UTC_CHECK=".count))
        let berlin = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-c", check], environment: ["TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin"]) }
        #expect(berlin.status == 0 && berlin.stderr.contains("not UTC"), "\(berlin.stderr)")
        let utc = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-c", check], environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"]) }
        #expect(utc.status == 0 && utc.stderr.isEmpty && utc.stdout.isEmpty)
    }

    @Test("systemd: each timer's calendar is the seed's and names an existing service that runs the wrapper")
    func systemd() async throws {
        let timers = ["full": "*-*-* 00:30:00 UTC", "diff": "*-*-* 01..23:00:00 UTC", "weekly": "Sun *-*-* 03:00:00 UTC",
                      "offsite": "*-*-01 04:00:00 UTC", "expire": "Sun *-*-* 05:00:00 UTC", "ingest": "*-*-* 06:15:00 UTC"]
        for (name, calendar) in timers {
            let timer = try Self.read("systemd/immoflow-backup-\(name).timer")
            #expect(timer.contains("OnCalendar=\(calendar)\n") && timer.contains("Persistent=true"))
            let service = try Self.read("systemd/immoflow-backup-\(name).service")
            #expect(service.contains("Type=oneshot") && service.contains("User=postgres"))
            #expect(service.contains("EnvironmentFile=/etc/immoflow-compliance/backup.env"))
            #expect(service.contains("immoflow-compliance backup \(name == "ingest" ? "ingest" : "run")"))
            let r = try await Self.systemdAnalyze(["calendar", calendar])
            #expect(r.status == 0 && r.stdout.contains("Normalized form: \(calendar)"), "\(r.stdout) \(r.stderr)")
        }
        let weekly = try Self.read("systemd/immoflow-backup-weekly.service")
        #expect(weekly.components(separatedBy: "ExecStart=").count == 3 && weekly.contains("--type check -- /usr/bin/pgbackrest --stanza=prod check"))
    }

    @Test("the monthly audit packages: the 2nd at 07:00 UTC (after the billing run), every organization's previous month, locked; the cron line the same and valid shell")
    func monthlyExport() async throws {
        let calendar = "*-*-02 07:00:00 UTC"
        let timer = try Self.read("systemd/immoflow-export-monthly.timer")
        #expect(timer.contains("OnCalendar=\(calendar)\n") && timer.contains("Persistent=true") && timer.contains("Unit=immoflow-export-monthly.service"))
        let service = try Self.read("systemd/immoflow-export-monthly.service")
        let command = "immoflow-compliance export --all-organizations --period previous-month --worm"
        #expect(service.contains("Type=oneshot") && service.contains("EnvironmentFile=/etc/immoflow-compliance/export.env") && service.contains(command))
        let r = try await Self.systemdAnalyze(["calendar", calendar])
        #expect(r.status == 0 && r.stdout.contains("Normalized form: \(calendar)"), "\(r.stdout) \(r.stderr)")
        // Job lines start with the minute; comments and settings do not.
        let jobs = try Self.read("cron/immoflow-export").split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(jobs.count == 1 && jobs[0].hasPrefix("0 7 2 * *     postgres  sh -c ") && jobs[0].contains(command), "\(jobs)")
        let line = String(jobs[0].dropFirst("0 7 2 * *     postgres  ".count))
        let syntax = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-n", "-c", line]) }
        #expect(syntax.status == 0, "\(syntax.stderr)")
        // The command itself parses as the real program reads it.
        let help = try await TestBinary.run(["export", "--all-organizations", "--period", "previous-month", "--worm", "--help"])
        #expect(help.status == 0)
    }

    @Test("the weekly restore test: Monday 05:00 UTC, dr restore-test through systemd and cron, both valid; tools/dr_restore_test.sh passes dr check's exit code through")
    func restoreTest() async throws {
        let calendar = "Mon *-*-* 05:00:00 UTC"
        let timer = try Self.read("systemd/immoflow-restore-test.timer")
        #expect(timer.contains("OnCalendar=\(calendar)\n") && timer.contains("Persistent=true"))
        let service = try Self.read("systemd/immoflow-restore-test.service")
        let command = "immoflow-compliance dr restore-test --stanza prod"
        #expect(service.contains(command) && service.contains("EnvironmentFile=/etc/immoflow-compliance/backup.env"))
        let r = try await Self.systemdAnalyze(["calendar", calendar])
        #expect(r.status == 0 && r.stdout.contains("Normalized form: \(calendar)"), "\(r.stdout) \(r.stderr)")
        let jobs = try Self.read("cron/immoflow-restore-test").split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(jobs.count == 1 && jobs[0].hasPrefix("0 5 * * 1     root  sh -c ") && jobs[0].contains(command), "\(jobs)")
        let syntax = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-n", "-c", String(jobs[0].dropFirst("0 5 * * 1     root  ".count))]) }
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let help = try await TestBinary.run(["dr", "restore-test", "--stanza", "prod", "--database", "immoflow", "--scratch", "/var/tmp", "--help"])
        #expect(help.status == 0)
        // The seed's script: dr check of the database given, its exit code unchanged (1: unreachable), 64 without one.
        let binary = try TestBinary.path()
        let unreachable = try await Blocking.run {
            try ProcessRunner.run([Self.root + "/tools/dr_restore_test.sh", "postgresql://nobody@127.0.0.1:1/x", "--connect-timeout", "2"],
                                  environment: ["IMMOFLOW_BIN": binary, "PATH": "/usr/bin:/bin"])
        }
        #expect(unreachable.status == 1 && unreachable.stderr.contains("dr check"), "\(unreachable.stderr)")
        let usage = try await Blocking.run { try ProcessRunner.run([Self.root + "/tools/dr_restore_test.sh"]) }
        #expect(usage.status == 64)
    }

    @Test("the monthly DR exercise: the first Saturday 06:00 UTC — systemd ANDs weekday and day; cron's OR is fixed by a Saturday test in the job; dr_full_exercise.sh runs dr exercise with the seed's (absent) arguments")
    func drExercise() async throws {
        let calendar = "Sat *-*-01..07 06:00:00 UTC"
        let timer = try Self.read("systemd/immoflow-dr-exercise.timer")
        #expect(timer.contains("OnCalendar=\(calendar)\n"))
        #expect(try Self.read("systemd/immoflow-dr-exercise.service").contains("ExecStart=/usr/local/lib/immoflow-compliance/dr_full_exercise.sh"))
        // The next elapses are first Saturdays only.
        let r = try await Self.systemdAnalyze(["calendar", "--iterations=6", calendar])
        #expect(r.status == 0, "\(r.stderr)")
        let days = r.stdout.split(separator: "\n").filter { $0.contains("Sat 20") && !$0.contains("Normalized") }
        #expect(days.count == 6, "\(r.stdout)")
        for d in days {
            let day = d.split(separator: " ").first { $0.count == 10 && $0.contains("-") }.flatMap { Int($0.suffix(2)) } ?? 99
            #expect((1...7).contains(day), "\(d)")
        }
        let jobs = try Self.read("cron/immoflow-dr-exercise").split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(jobs.count == 1 && jobs[0].hasPrefix("0 6 1-7 * *   root  ") && jobs[0].contains("[ \"$(date +\\%u)\" = 6 ] &&"), "\(jobs)")
        let line = String(jobs[0].dropFirst("0 6 1-7 * *   root  ".count)).replacingOccurrences(of: "\\%", with: "%")
        let syntax = try await Blocking.run { try ProcessRunner.run(["/bin/sh", "-n", "-c", line]) }
        #expect(syntax.status == 0, "\(syntax.stderr)")
        // The wrapper passes dr exercise's code through: here a usage error (64) for a bad webhook.
        let binary = try TestBinary.path()
        let wrapped = try await Blocking.run {
            try ProcessRunner.run([Self.root + "/tools/dr_full_exercise.sh"], environment: ["IMMOFLOW_BIN": binary, "DR_WEBHOOK_URL": "ftp://x", "PATH": "/usr/bin:/bin"])
        }
        #expect(wrapped.status == 64 && wrapped.stderr.contains("--webhook"), "\(wrapped.stderr)")
    }

    /// Issue 12, item 11: pgBackRest counts backups, so `repo1-retention-diff=7` kept seven hourly
    /// diffs (seven hours), not the strategy's seven days.
    @Test("retention means the strategy's days: fulls by time (14 days), diffs counted to span 7 days of the schedule")
    func retention() throws {
        let options = Dictionary(try Self.read("pgbackrest/pgbackrest.conf").split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }
            .map { line -> (String, String) in let p = line.split(separator: "=", maxSplits: 1); return (String(p[0]), String(p[1])) },
            uniquingKeysWith: { _, last in last })
        #expect(options["repo1-retention-full-type"] == "time" && options["repo1-retention-full"] == "14")
        // diffs per day on the schedule: the diff timer's hours
        let timer = try Self.read("systemd/immoflow-backup-diff.timer")
        #expect(timer.contains("OnCalendar=*-*-* 01..23:00:00 UTC"))
        let perDay = 23
        #expect((Int(options["repo1-retention-diff"] ?? "") ?? 0) >= 7 * perDay)
        // no archive retention by count of fulls: WAL is kept from the oldest retained backup on
        #expect(options["repo1-retention-archive"] == nil && options["repo1-retention-archive-type"] == nil)
    }

    @Test("deploy/install.sh renders the one PostgreSQL version into every path, refuses a bad one")
    func install() async throws {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: destination) }
        for mode in ["cron", "systemd"] {
            let r = try await Blocking.run {
                try ProcessRunner.run([Self.root + "/deploy/install.sh", mode], environment: ["DESTDIR": destination, "PG_VERSION": "15",
                                                                                              "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
            }
            #expect(r.status == 0, "\(mode): \(r.stderr)")
        }
        let config = try String(contentsOfFile: destination + "/etc/pgbackrest/pgbackrest.conf", encoding: .utf8)
        #expect(config.contains("pg1-path=/var/lib/postgresql/15/main") && !config.contains("@PG_VERSION@"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/postgresql/15/main/conf.d/archiving.conf"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/cron.d/immoflow-backup"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/systemd/system/immoflow-backup-full.timer"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/systemd/system/immoflow-export-monthly.timer"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/cron.d/immoflow-export"))
        #expect(FileManager.default.fileExists(atPath: destination + "/etc/immoflow-compliance/export.env"))
        // every file in deploy/ that names a PostgreSQL path uses the setting, not a number
        for file in ["pgbackrest/pgbackrest.conf", "postgresql/archiving.conf"] {
            let text = try Self.read(file)
            #expect(!text.contains("/postgresql/1") && text.contains("@PG_VERSION@"), "\(file)")
        }
        let bad = try await Blocking.run {
            try ProcessRunner.run([Self.root + "/deploy/install.sh"], environment: ["DESTDIR": destination, "PG_VERSION": "fifteen", "PATH": "/usr/bin:/bin"])
        }
        #expect(bad.status == 64 && bad.stderr.contains("PG_VERSION"))
    }

    @Test("pgbackrest.conf: pgBackRest 2.45 accepts every option, and needs the secrets from the environment")
    func pgbackrestConfig() async throws {
        let text = try Self.read("pgbackrest/pgbackrest.conf")
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "=" }
            #expect(!(name.contains("pass") || name.hasSuffix("-key") || name.contains("secret")), "a secret in the file: \(line)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbackrest") else {
            Issue.record("pgbackrest is not installed (tools/test.sh installs it)")
            return
        }
        let config = Self.root + "/deploy/pgbackrest/pgbackrest.conf"
        // Endpoints pointed at a closed local port: only parsing and option checks happen.
        let command = ["/usr/bin/pgbackrest", "--config=\(config)", "--stanza=prod", "--log-level-console=warn", "--log-level-file=off",
                       "--repo1-s3-endpoint=127.0.0.1", "--repo2-s3-endpoint=127.0.0.1", "--repo1-storage-port=1",
                       "--repo2-storage-port=1", "--io-timeout=1", "info"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PGBACKREST_") }
        let bare = environment
        let without = try await Blocking.run { try ProcessRunner.run(command, environment: bare) }
        #expect(without.status == 37 && without.stderr.contains("repo1-cipher-pass"), "\(without.status) \(without.stderr)")
        for name in ["REPO1_CIPHER_PASS", "REPO1_S3_KEY", "REPO1_S3_KEY_SECRET", "REPO2_CIPHER_PASS", "REPO2_S3_KEY", "REPO2_S3_KEY_SECRET"] {
            environment["PGBACKREST_" + name] = "test-value"
        }
        let full = environment
        let with = try await Blocking.run { try ProcessRunner.run(command, environment: full) }
        #expect(!with.stdout.contains("invalid option") && !with.stderr.contains("invalid option"), "\(with.stderr)")
        #expect(with.stdout.contains("stanza: prod") && with.stdout.contains("cipher: aes-256-cbc"), "\(with.stdout) \(with.stderr)")
    }

    @Test("the PostgreSQL snippet archives with pgBackRest")
    func archiving() throws {
        let text = try Self.read("postgresql/archiving.conf")
        #expect(text.contains("archive_mode = on") && text.contains("wal_level = replica"))
        #expect(text.contains("archive_command = 'pgbackrest --stanza=prod archive-push %p'") && !text.contains("archive_command = 'envdir"))
    }
}
