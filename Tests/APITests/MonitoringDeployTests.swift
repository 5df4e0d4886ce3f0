import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import DemoData
import Foundation
import Glibc
import HTTPRouting
import Postgres
import Testing

/// deploy/grafana, deploy/prometheus and deploy/alertmanager checked by the real tools and
/// against what the server really exports: a live scrape of a server with a full history (backups,
/// restore tests, DR exercises, failures, audit-chain verifications and checkpoints, the access
/// log on) is the list of metric names every dashboard panel and alert rule may use; promtool
/// parses every expression; amtool checks the routing; a real Prometheus runs prometheus.yml
/// against the live server.
@Suite(.serialized) struct MonitoringDeployTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    struct Live: Sendable {
        let api: LiveAPI
        let token: String
        /// The metric names of one scrape (histograms as _bucket/_sum/_count).
        let names: Set<String>
        /// That scrape, and the history behind it.
        let text: String
        let events: [NewBackupEvent]
    }

    /// The server with a full history, scraped once with a read_metrics token.
    static let live = Task { () throws -> Live in
        // Its own cluster with WAL archiving on (to nowhere), so the archiver's series exist too.
        let cluster = try await TestCluster.start(settings: ["archive_mode": "on", "archive_command": "'/bin/true'"])
        _ = try await Blocking.run { try cluster.psql("CREATE DATABASE monitoring") }
        let url = cluster.url(database: "monitoring")
        let migrate = try await TestBinary.run(["migrate", "--migrations-dir", TestEnvironment.migrationsDirectory], environment: ["DATABASE_URL": url])
        guard migrate.status == 0 else { throw HarnessError("migrate failed: \(migrate.stderr)") }
        let pool = ConnectionPool(configuration: .init(url: url), size: 2)
        // one segment archived (to /bin/true), so the archived-WAL counter has something to count
        _ = try await Blocking.run { try cluster.psql("SELECT pg_switch_wal()", database: "monitoring") }
        let archived = await eventually(within: 20) {
            (try? cluster.psql("SELECT archived_count FROM pg_stat_archiver")).map { (Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1 } ?? false
        }
        guard archived else { throw HarnessError("the archiver did not archive a segment within 20 s") }
        let now = Int64(Date().timeIntervalSince1970)
        let events = DemoBackupHistory(now: Timestamp(secondsSinceEpoch: now - 60), days: 40, seed: 7).events()
        let org = UUID().uuidString.lowercased()
        try await pool.withConnection { c in
            _ = try await BackupAuditStore().append(events, on: c)
            try await c.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, 'Monitoring GmbH', 'DE')")
            try await c.execute("""
                INSERT INTO audit_chain_verifications (organization_id, chain, verified_at, entries, head_seq, head_hash, ok, problem_count, first_problem)
                VALUES (\(org)::uuid, 'audit_logs', now(), 0, 0, decode(repeat('aa', 32), 'hex'), true, 0, NULL),
                       (NULL, 'backup_audit', now(), 0, 0, decode(repeat('00', 32), 'hex'), true, 0, NULL)
                """)
            try await c.execute("""
                INSERT INTO audit_checkpoints (organization_id, seq, hash, key_id, signature, storage_key, version_id, created_at)
                VALUES (\(org)::uuid, 0, decode(repeat('aa', 32), 'hex'), '0123456789abcdef', decode(repeat('11', 64), 'hex'), 'audit/checkpoints/m.txt', 'v1', now())
                """)
        }
        let devNull = open("/dev/null", O_WRONLY)
        guard devNull >= 0 else { throw HarnessError("cannot open /dev/null") }
        let api = try LiveAPI.start(pool: pool, metricsRequireToken: true, accessLog: LogSink(descriptor: devNull))
        let token = try await api.token(.operator)
        _ = try await api.get("/health", nil)
        let r = try await api.get("/api/metrics", token)
        guard r.status == 200 else { throw HarnessError("/api/metrics answered \(r.status): \(r.bodyText)") }
        let names = Set(r.bodyText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            String(line.prefix { $0 != "{" && $0 != " " })
        })
        return Live(api: api, token: token, names: names, text: r.bodyText, events: events)
    }

    @Test("the series beyond the seed carry the history's values: the newest DR exercise, the newest full and diff sizes, archived WAL")
    func newSeries() async throws {
        let live = try await Self.live.value
        func newest(_ type: BackupEventType, _ statuses: [BackupEventStatus]) -> NewBackupEvent? {
            live.events.filter { $0.type == type && statuses.contains($0.status) }.max { ($0.occurredAt?.microsecondsSinceEpoch ?? 0) < ($1.occurredAt?.microsecondsSinceEpoch ?? 0) }
        }
        let exercise = try #require(newest(.drExercise, [.succeeded, .failed, .completedWithErrors]), "the 40-day history has a DR exercise")
        #expect(live.text.contains("pgbackrest_dr_exercise_last_timestamp{stanza=\"prod\"} \(exercise.occurredAt!.secondsSinceEpoch)"), "\(exercise)")
        #expect(live.text.contains("pgbackrest_dr_exercise_success{stanza=\"prod\"} \(exercise.status == .failed ? 0 : 1)"))
        let full = try #require(newest(.backupFull, [.succeeded, .completedWithErrors]))
        let diff = try #require(newest(.backupDiff, [.succeeded, .completedWithErrors]))
        #expect(live.text.contains("immoflow_backup_last_size_bytes{stanza=\"prod\",type=\"full\"} \(full.sizeBytes!)"))
        #expect(live.text.contains("immoflow_backup_last_size_bytes{stanza=\"prod\",type=\"diff\"} \(diff.sizeBytes!)"))
        #expect(live.text.contains("immoflow_backup_last_repo_delta_bytes{stanza=\"prod\",type=\"diff\"} \(diff.repoDeltaBytes!)"))
        // archiving on (to /bin/true): a counter of whole segments
        let archived = live.text.split(separator: "\n").first { $0.hasPrefix("immoflow_wal_archived_bytes_total ") }
        let bytes = archived.flatMap { Double($0.split(separator: " ")[1]) }
        #expect(bytes.map { $0 >= 16 * 1024 * 1024 && $0.truncatingRemainder(dividingBy: 16 * 1024 * 1024) == 0 } == true, "\(archived ?? "absent")")
        #expect(live.text.contains("# TYPE immoflow_wal_archived_bytes_total counter"))
    }

    /// YAML → JSON through PyYAML (python3-yaml, installed by the test command).
    static func yaml(_ file: String) async throws -> Any {
        let out = try await Blocking.run {
            try ProcessRunner.run(["python3", "-c", "import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", file])
        }
        guard out.status == 0 else { throw HarnessError("cannot read \(file) as YAML (python3-yaml installed?): \(out.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
    }

    /// The rules of a Prometheus rule file: (alert or record name, expr, annotations).
    static func rules(_ file: String) async throws -> [(name: String, expr: String, annotations: [String: String])] {
        guard let top = try await yaml(path(file)) as? [String: Any], let groups = top["groups"] as? [[String: Any]] else {
            throw HarnessError("\(file): no groups")
        }
        return groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }.map { rule in
            ((rule["alert"] ?? rule["record"]) as? String ?? "?", rule["expr"] as? String ?? "", rule["annotations"] as? [String: String] ?? [:])
        }
    }

    static let ruleFiles = ["deploy/prometheus/backup.yml", "deploy/prometheus/immoflow.yml"]

    /// Names a query may use without the server exporting them: Prometheus' own `up`, and the
    /// names the rule files record.
    static func knownNames(_ live: Live) async throws -> Set<String> {
        var known = live.names.union(["up"])
        for file in ruleFiles {
            for rule in try await rules(file) where !rule.expr.isEmpty { known.insert(rule.name) }
        }
        return known
    }

    // MARK: - Grafana

    struct Panel {
        let id: Int
        let title: String
        let exprs: [String]
    }

    static func dashboard() throws -> (json: [String: Any], panels: [Panel], variableQueries: [String]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("deploy/grafana/immoflow-compliance.json")))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("dashboard is not a JSON object") }
        let raw = (json["panels"] as? [[String: Any]]) ?? []
        let panels = raw.filter { ($0["type"] as? String) != "row" }.map { p in
            Panel(id: p["id"] as? Int ?? -1, title: p["title"] as? String ?? "",
                  exprs: ((p["targets"] as? [[String: Any]]) ?? []).map { $0["expr"] as? String ?? "" })
        }
        let variables = ((json["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        let queries = variables.compactMap { ($0["query"] as? [String: Any])?["query"] as? String }
        return (json, panels, queries)
    }

    @Test("the dashboard: importable JSON, the datasource a variable, unique ids, a query per panel")
    func dashboardStructure() throws {
        let (json, panels, _) = try Self.dashboard()
        #expect(json["uid"] as? String == "immoflow-compliance" && (json["schemaVersion"] as? Int ?? 0) >= 36)
        #expect(json["id"] == nil, "an exported dashboard carries no database id (import would overwrite another)")
        let variables = ((json["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        #expect(variables.contains { $0["name"] as? String == "datasource" && $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        let all = (json["panels"] as? [[String: Any]]) ?? []
        let ids = all.compactMap { $0["id"] as? Int }
        #expect(ids.count == all.count && Set(ids).count == ids.count, "every panel has a unique id")
        for p in all where (p["type"] as? String) != "row" {
            let title = p["title"] as? String ?? "?"
            #expect((p["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}", "\(title): datasource is the variable")
            let targets = (p["targets"] as? [[String: Any]]) ?? []
            #expect(!targets.isEmpty, "\(title): no query")
            for t in targets {
                #expect((t["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}", "\(title): target datasource is the variable")
                #expect(!(t["expr"] as? String ?? "").isEmpty && t["refId"] is String, "\(title): target without expr/refId")
            }
            let grid = p["gridPos"] as? [String: Int] ?? [:]
            #expect(grid["w"] != nil && grid["h"] != nil && (grid["x"] ?? -1) + (grid["w"] ?? 99) <= 24, "\(title): gridPos")
        }
        #expect(panels.count >= 20)
    }

    @Test("every panel query parses (promtool, as recording rules) and uses only names of a live scrape; the seed's §7.4 panels are there")
    func dashboardQueries() async throws {
        let live = try await Self.live.value
        let known = try await Self.knownNames(live)
        let (_, panels, variableQueries) = try Self.dashboard()
        var rules: [[String: String]] = []
        for panel in panels {
            for (i, expr) in panel.exprs.enumerated() {
                // Grafana's interval variables become a duration; label variables sit in strings.
                let promql = expr.replacingOccurrences(of: "$__rate_interval", with: "5m").replacingOccurrences(of: "$__interval", with: "1m")
                rules.append(["record": "dashboard:panel_\(panel.id)_\(i)", "expr": promql])
                let unknown = PromQLNames.names(promql).subtracting(known)
                #expect(unknown.isEmpty, "panel \(panel.title): \(unknown.sorted()) not in the live scrape")
            }
        }
        for query in variableQueries {
            let metric = query.firstMatch(of: /label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,/)?.1
            #expect(metric.map { live.names.contains(String($0)) } == true, "variable query \(query) names no scraped metric")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/dashboard-rules.json"
        try JSONSerialization.data(withJSONObject: ["groups": [["name": "dashboard", "rules": rules]]], options: [.withoutEscapingSlashes]).write(to: URL(fileURLWithPath: file))
        let check = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "rules", file]) }
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: \(rules.count) rules found"), "\(check.stdout)\(check.stderr)")

        // seed §7.4 (and the issue's additions): a panel per item, found by the series it shows
        let used = panels.map { Set($0.exprs.flatMap { PromQLNames.names($0) }) }
        for (item, metrics) in [("backup sizes (full/diff)", ["immoflow_backup_last_size_bytes"]),
                                ("WAL over time", ["immoflow_wal_archived_bytes_total"]),
                                ("last backup times", ["pgbackrest_backup_last_full_timestamp", "pgbackrest_backup_last_diff_timestamp"]),
                                ("WAL archive lag", ["pgbackrest_wal_archive_lag_seconds"]),
                                ("restore-test duration", ["pgbackrest_restore_test_duration_seconds"]),
                                ("restore-test result", ["pgbackrest_restore_test_success"]),
                                ("storage use", ["pgbackrest_backup_size_bytes", "pgbackrest_backup_repo_size_bytes"]),
                                ("retention locks", ["compliance_export_packages"]),
                                ("control status", ["compliance_control_status"]),
                                ("DR exercise", ["pgbackrest_dr_exercise_success"]),
                                ("audit chains", ["compliance_audit_chain_ok"]),
                                ("HTTP rate", ["http_requests_total"]),
                                ("HTTP latency", ["http_request_duration_seconds_bucket"]),
                                ("access-log drops", ["http_access_log_dropped_total"])] {
            #expect(used.contains { panel in metrics.allSatisfy(panel.contains) }, "no panel shows \(item) (\(metrics))")
        }
    }

    // MARK: - Alert rules

    @Test("every alert rule uses only names of a live scrape, has severity, a summary and a runbook_url whose section exists")
    func alertRules() async throws {
        let live = try await Self.live.value
        let known = try await Self.knownNames(live)
        let runbook = try String(contentsOfFile: Self.path("docs/runbook.md"), encoding: .utf8)
        // GitHub's anchors of "### Name" headings: lower-cased, spaces to dashes, punctuation dropped.
        let anchors = Set(runbook.split(separator: "\n").filter { $0.hasPrefix("#") }.map { line in
            String(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
                .filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }.replacingOccurrences(of: " ", with: "-"))
        })
        var alerts = 0
        for file in Self.ruleFiles {
            guard let top = try await Self.yaml(Self.path(file)) as? [String: Any], let groups = top["groups"] as? [[String: Any]] else {
                throw HarnessError("\(file): no groups")
            }
            for rule in groups.flatMap({ ($0["rules"] as? [[String: Any]]) ?? [] }) {
                let name = (rule["alert"] ?? rule["record"]) as? String ?? "?"
                let unknown = PromQLNames.names(rule["expr"] as? String ?? "").subtracting(known)
                #expect(unknown.isEmpty, "\(file) \(name): \(unknown.sorted()) not in the live scrape")
                guard rule["alert"] != nil else { continue }
                alerts += 1
                let labels = rule["labels"] as? [String: String] ?? [:], annotations = rule["annotations"] as? [String: String] ?? [:]
                #expect(["critical", "warning"].contains(labels["severity"] ?? ""), "\(name): severity")
                #expect(!(annotations["summary"] ?? "").isEmpty, "\(name): summary")
                let url = annotations["runbook_url"] ?? ""
                #expect(url.hasPrefix("docs/runbook.md#") && anchors.contains(String(url.dropFirst("docs/runbook.md#".count))),
                        "\(name): runbook_url \(url) names no section of docs/runbook.md")
            }
        }
        #expect(alerts >= 20)
    }

    @Test("promtool check rules and test rules pass for immoflow.yml (every alert fires when it should, stays quiet otherwise, resolves; each is tested firing)")
    func promtoolRules() async throws {
        let dir = Self.path("deploy/prometheus")
        let check = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "rules", "immoflow.yml"], workingDirectory: dir) }
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let files = ["immoflow_test.yml", "immoflow_stale_test.yml"]
        let test = try await Blocking.run { try ProcessRunner.run(["promtool", "test", "rules"] + files, workingDirectory: dir) }
        #expect(test.status == 0 && test.stdout.components(separatedBy: "SUCCESS").count == 3, "\(test.stdout)\(test.stderr)")
        // every alert of immoflow.yml has at least one test case that expects it to fire
        let tests = try files.map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined()
        for rule in try await Self.rules("deploy/prometheus/immoflow.yml") {
            #expect(tests.contains("alertname: \(rule.name)\n        exp_alerts:\n          - exp_labels"), "\(rule.name) is never tested firing")
        }
    }

    // MARK: - Alertmanager

    @Test("alertmanager.yml: amtool check-config passes; critical goes to the pager and chat, warning to chat (seed §7.2)")
    func alertmanager() async throws {
        let file = Self.path("deploy/alertmanager/alertmanager.yml")
        let check = try await Blocking.run { try ProcessRunner.run(["amtool", "check-config", file]) }
        #expect(check.status == 0 && check.stdout.contains("SUCCESS"), "\(check.stdout)\(check.stderr) — apt-get install prometheus-alertmanager")
        for (labels, receivers) in [(["severity=critical", "alertname=BackupFailure"], "pager,chat"),
                                    (["severity=critical", "alertname=RestoreTestFailure"], "pager,chat"),
                                    (["severity=warning", "alertname=WALLagExceedsRPO"], "chat"),
                                    (["alertname=Unlabelled"], "chat")] {
            let r = try await Blocking.run { try ProcessRunner.run(["amtool", "config", "routes", "test", "--config.file=\(file)"] + labels) }
            #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == receivers, "\(labels) → \(r.stdout)\(r.stderr)")
        }
        // every severity an alert rule uses has a route
        for file in Self.ruleFiles {
            let text = try String(contentsOfFile: Self.path(file), encoding: .utf8)
            for m in text.matches(of: /severity: (\w+)/) {
                #expect(["critical", "warning"].contains(String(m.1)), "\(file): severity \(m.1) has no route")
            }
        }
    }

    @Test("a real Alertmanager with alertmanager.yml (receivers pointed at a local recorder): a critical alert reaches PagerDuty and Slack with its summary and runbook, a warning only Slack")
    func alertmanagerLive() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alertmanager-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorderPort = try TestCluster.freePort(), port = try TestCluster.freePort()
        // the recorder: every POST's path and body, one JSON line each
        let recorder = try ProcessRunner.spawn(["python3", "-c", """
            import http.server, json, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    with open(sys.argv[2], 'a') as f: f.write(json.dumps({'path': self.path, 'body': json.loads(body)}) + '\\n')
                    self.send_response(202); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
                def log_message(self, *a): pass
            http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
            """, String(recorderPort), dir + "/received.jsonl"], logPath: dir + "/recorder.log")
        try "0123456789abcdef0123456789abcdef\n".write(toFile: dir + "/pagerduty-routing-key", atomically: true, encoding: .utf8)
        try "http://127.0.0.1:\(recorderPort)/slack\n".write(toFile: dir + "/slack-webhook-url", atomically: true, encoding: .utf8)
        let config = try String(contentsOfFile: Self.path("deploy/alertmanager/alertmanager.yml"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/prometheus/alertmanager/", with: dir + "/")
            .replacingOccurrences(of: "      - routing_key_file:", with: "      - url: http://127.0.0.1:\(recorderPort)/pagerduty\n        routing_key_file:")
            .replacingOccurrences(of: "group_wait: 30s", with: "group_wait: 1s")
        #expect(config.contains("url: http://127.0.0.1:\(recorderPort)/pagerduty") && config.contains("group_wait: 1s"))
        try config.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let alertmanager = try ProcessRunner.spawn(["prometheus-alertmanager", "--config.file=\(dir)/alertmanager.yml", "--storage.path=\(dir)/data",
                                                    "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="], logPath: dir + "/alertmanager.log")
        defer { ProcessRunner.kill(alertmanager); ProcessRunner.kill(recorder) }
        let up = await RawHTTPClient.awaitStatus(port: port, "/-/ready")
        #expect(up, "Alertmanager did not start: \((try? String(contentsOfFile: dir + "/alertmanager.log", encoding: .utf8)) ?? "")")
        guard up else { return }
        for (name, severity) in [("BackupFailure", "critical"), ("DiffBackupStale", "warning")] {
            let add = try await Blocking.run {
                try ProcessRunner.run(["amtool", "alert", "add", "alertname=\(name)", "severity=\(severity)", "stanza=prod",
                                       "--annotation=summary=\(name) test summary", "--annotation=runbook_url=docs/runbook.md#\(name.lowercased())",
                                       "--alertmanager.url=http://127.0.0.1:\(port)"])
            }
            #expect(add.status == 0, "\(add.stderr)")
        }
        var received: [[String: Any]] = []
        for _ in 0..<80 {
            try await Task.sleep(for: .milliseconds(250))
            let text = (try? String(contentsOfFile: dir + "/received.jsonl", encoding: .utf8)) ?? ""
            received = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if received.count >= 3 { break }
        }
        func bodies(_ path: String) -> [String] {
            received.filter { $0["path"] as? String == path }.compactMap { entry in
                (try? JSONSerialization.data(withJSONObject: entry["body"] ?? [:])).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        let pager = bodies("/pagerduty"), slack = bodies("/slack")
        #expect(pager.count == 1 && pager[0].contains("BackupFailure test summary") && pager[0].contains("docs\\/runbook.md#backupfailure")
                && pager[0].contains("\"severity\":\"critical\""), "PagerDuty got \(pager)")
        #expect(slack.count == 2 && slack.contains { $0.contains("BackupFailure") && $0.contains("(critical)") }
                && slack.contains { $0.contains("DiffBackupStale") && $0.contains("(warning)") && $0.contains("DiffBackupStale test summary") },
                "Slack got \(slack)")
        #expect(!pager.contains { $0.contains("DiffBackupStale") }, "a warning never pages")
    }

    // MARK: - Prometheus

    /// prometheus.yml with its paths and targets pointed at this test's files and servers.
    static func renderPrometheusConfig(into dir: String, server: Int, exporter: Int, interval: String?) throws -> String {
        var text = try String(contentsOfFile: path("deploy/prometheus/prometheus.yml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "/etc/prometheus/rules/immoflow-compliance/", with: path("deploy/prometheus") + "/")
            .replacingOccurrences(of: "/etc/prometheus/immoflow-metrics.token", with: dir + "/token")
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(server)")
            .replacingOccurrences(of: "127.0.0.1:9854", with: "127.0.0.1:\(exporter)")
        if let interval { text = text.replacingOccurrences(of: ": 30s", with: ": \(interval)").replacingOccurrences(of: "scrape_timeout: 10s", with: "scrape_timeout: \(interval)") }
        let file = dir + "/prometheus.yml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("prometheus.yml: promtool check config passes with its rule files and token file in place")
    func prometheusConfig() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("promconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "imfc_x\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let file = try Self.renderPrometheusConfig(into: dir, server: 8080, exporter: 9854, interval: nil)
        let check = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "config", file]) }
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 2 rule files found"), "\(check.stdout)\(check.stderr)")
        // the unrendered file differs only in its paths: a missing rule file is what promtool refuses
        let raw = try await Blocking.run { try ProcessRunner.run(["promtool", "check", "config", Self.path("deploy/prometheus/prometheus.yml")]) }
        #expect(raw.status != 0 && (raw.stdout + raw.stderr).contains("/etc/prometheus/rules/immoflow-compliance/backup.yml\" does not point to an existing file"),
                "\(raw.stdout)\(raw.stderr)")
    }

    @Test("a real Prometheus with prometheus.yml scrapes the server with its token, renames pgbackrest_exporter's colliding series, and evaluates every rule without error")
    func prometheusLive() async throws {
        let live = try await Self.live.value
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/exporter", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "\(live.token)\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        // what pgbackrest_exporter serves for one backup set (its names, its labels)
        try """
            # TYPE pgbackrest_backup_size_bytes gauge
            pgbackrest_backup_size_bytes{backup_name="20261201-003000F",backup_type="full",block_incr="n",database_id="1",repo_key="1",stanza="prod"} 3.1e+09
            # TYPE pgbackrest_backup_repo_size_bytes gauge
            pgbackrest_backup_repo_size_bytes{backup_name="20261201-003000F",backup_type="full",block_incr="n",database_id="1",repo_key="1",stanza="prod"} 1.0e+09

            """.write(toFile: dir + "/exporter/metrics", atomically: true, encoding: .utf8)
        let exporterPort = try TestCluster.freePort(), prometheusPort = try TestCluster.freePort()
        let exporter = try ProcessRunner.spawn(["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir + "/exporter", String(exporterPort)],
                                               logPath: dir + "/exporter.log")
        let config = try Self.renderPrometheusConfig(into: dir, server: live.api.server.port, exporter: exporterPort, interval: "1s")
        let prometheus = try ProcessRunner.spawn(["prometheus", "--config.file=\(config)", "--storage.tsdb.path=\(dir)/data",
                                                  "--web.listen-address=127.0.0.1:\(prometheusPort)"], logPath: dir + "/prometheus.log")
        defer { ProcessRunner.kill(prometheus); ProcessRunner.kill(exporter) }
        func query(_ q: String) async throws -> [[String: Any]] {
            let target = "/api/v1/query?query=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try await RawHTTPClient.exchangeGET(port: prometheusPort, target)
            let json = try JSONSerialization.jsonObject(with: Data(r.bodyText.utf8)) as? [String: Any]
            return ((json?["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        }
        func labels(_ sample: [String: Any]) -> [String: String] { sample["metric"] as? [String: String] ?? [:] }
        // both targets up (the server accepted the token), with rules evaluated at least once
        var ready = false
        for _ in 0..<120 where !ready {
            try await Task.sleep(for: .milliseconds(250))
            let up = (try? await query("up == 1")) ?? []
            let ruleEvaluated = (try? await query("pgbackrest_backup_last_full_age_seconds")) ?? []
            ready = up.count == 2 && !ruleEvaluated.isEmpty
        }
        let log = (try? String(contentsOfFile: dir + "/prometheus.log", encoding: .utf8)) ?? ""
        #expect(ready, "Prometheus did not scrape both targets within 30 s: \(log.suffix(2000))")
        guard ready else { return }
        let seed = try await query("pgbackrest_backup_size_bytes")
        #expect(!seed.isEmpty && seed.allSatisfy { labels($0)["job"] == "immoflow-compliance" && labels($0)["backup_name"] == nil },
                "the seed's name holds the server's series only: \(seed)")
        let renamed = try await query("pgbackrest_exporter_backup_size_bytes")
        #expect(renamed.count == 1 && labels(renamed[0])["job"] == "pgbackrest-exporter" && labels(renamed[0])["backup_name"] == "20261201-003000F")
        #expect(try await query("pgbackrest_exporter_backup_repo_size_bytes").count == 1)
        // every rule of both files loaded and evaluated without error
        let r = try await RawHTTPClient.exchangeGET(port: prometheusPort, "/api/v1/rules")
        let groups = (((try JSONSerialization.jsonObject(with: Data(r.bodyText.utf8)) as? [String: Any])?["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
        let loaded = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
        let expected = try await Self.ruleFiles.asyncFlatMap { try await Self.rules($0) }.count
        #expect(loaded.count == expected, "\(loaded.count) rules loaded, \(expected) in the files")
        for rule in loaded {
            #expect((rule["health"] as? String) != "err", "\(rule["name"] ?? "?"): \(rule["lastError"] ?? "")")
        }
        // the history is fresh and whole: these alerts' expressions select nothing on it now
        let quiet: Set<String> = ["BackupFailure", "BackupMetricAbsent", "ImmoflowDatabaseDown", "ImmoflowServerDown", "RestoreTestStale",
                                  "DRExerciseStale", "DiffBackupStale", "WALArchivingOff", "AuditChainBroken", "AuditChainVerificationStale",
                                  "AuditCheckpointStale", "ExportPackageUnlocked", "ExportLockVerificationFailed"]
        let alertRules = try await Self.ruleFiles.asyncFlatMap { try await Self.rules($0) }.filter { quiet.contains($0.name) }
        #expect(alertRules.count == quiet.count)
        for rule in alertRules {
            let selected = try await query(rule.expr)
            #expect(selected.isEmpty, "\(rule.name) selects \(selected) on a healthy server")
        }
    }
}

extension Array {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async throws -> [T] {
        var out: [T] = []
        for element in self { out += try await transform(element) }
        return out
    }
}
