import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Foundation
import ObjectStore
import ObjectStoreClient
import Postgres
import Testing
@testable import WormMonitor

/// The tamper scenarios of docs/audit-chain.md §7 against real PostgreSQL — the superuser ones
/// in `session_replication_role = replica`, as an attacker would — and checkpoints against a real
/// SeaweedFS, through `immoflow-compliance audit verify|checkpoint` as operators run it: each
/// asserts the named problem and the seq where it is found, and the exit code.
@Suite(.serialized) struct AuditChainVerificationTests {
    struct Fixture {
        let db: TestDatabase
        let pool: ConnectionPool
        let orgs: [String]
        let environment: [String: String]
        let keyFile: String
        let key: Ed25519PrivateKey
        let client: S3Client?
    }

    /// A fresh database with `orgs` organizations of `rows` entries each; a signing key; the
    /// WORM store when `worm`.
    func fixture(_ label: String, orgs count: Int = 2, rows: Int = 20, worm: Bool = false) async throws -> Fixture {
        let db = try await TestEnvironment.shared.migratedDatabase(label)
        let pool = db.pool(size: 2)
        let orgs = (0..<count).map { _ in UUID().uuidString.lowercased() }
        for (i, org) in orgs.enumerated() {
            _ = try await pool.execute("INSERT INTO organizations (id, name, country) VALUES (\(org)::uuid, \("Org \(i)"), 'DE')")
            let entries = (1...rows).map { n in
                NewAuditEntry(actor: "user:\(n % 3)", action: "update", entity: "ledger_entries", entityID: "e-\(n)",
                              payload: #"{"amount":"\#(n),00","text":"Miete – Größe \"A\"; €"}"#)
            }
            try await pool.withConnection { _ = try await AuditLogStore().append(entries, organization: UUID(uuidString: org)!, on: $0) }
        }
        let key = try Ed25519PrivateKey.generate()
        let keyFile = NSTemporaryDirectory() + "signing-\(UUID().uuidString).pem"
        try key.pkcs8PEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        var environment = ["DATABASE_URL": db.url, "IMMOFLOW_SIGNING_KEY_FILE": keyFile]
        var store: S3Client?
        if worm {
            let server = try SeaweedFS.shared()
            let client = try TestBucket.make(label, prefix: "audit/", region: "eu-central-1")
            store = client
            environment.merge(["AWS_ACCESS_KEY_ID": SeaweedFS.adminKey, "AWS_SECRET_ACCESS_KEY": SeaweedFS.adminSecret, "AWS_REGION": "eu-central-1",
                               "AWS_ENDPOINT_URL_S3": server.httpURL, "IMMOFLOW_WORM_BUCKET": client.configuration.bucket,
                               "IMMOFLOW_WORM_PREFIX": "audit/"]) { $1 }
        }
        return Fixture(db: db, pool: pool, orgs: orgs, environment: environment, keyFile: keyFile, key: key, client: store)
    }

    /// Runs SQL as the attacker: a superuser with triggers off.
    static func tamper(_ f: Fixture, _ sql: String) async throws {
        try await f.pool.withConnection { c in
            try await c.executeScript("SET session_replication_role = replica; \(sql); SET session_replication_role = origin")
        }
    }

    /// The problems `audit verify` printed, as (kind, seq, organization).
    static func verify(_ f: Fixture, _ extra: [String] = []) async throws -> (status: Int32, problems: [(kind: String, seq: Int, org: String?)], json: [String: Any], stderr: String) {
        let run = try await TestBinary.run(["audit", "verify"] + extra, environment: f.environment)
        guard let json = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            return (run.status, [], [:], run.stderr + " | stdout: " + run.stdout)
        }
        let problems = (json["problems"] as? [[String: Any]] ?? []).map { p in
            (kind: p["kind"] as? String ?? "", seq: p["seq"] as? Int ?? -1, org: p["organization_id"] as? String)
        }
        return (run.status, problems, json, run.stderr)
    }

    @Test("intact chains verify (exit 0), every chain summarised, the run recorded per organization; --backup-audit verifies that chain too")
    func intact() async throws {
        let f = try await fixture("audit-intact")
        let result = try await Self.verify(f, ["--backup-audit"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.problems.isEmpty && result.json["ok"] as? Bool == true)
        let chains = result.json["chains"] as? [[String: Any]] ?? []
        #expect(chains.count == 3 && chains.filter { $0["chain"] as? String == "audit_logs" }.allSatisfy { $0["entries"] as? Int == 20 && $0["head_seq"] as? Int == 20 })
        #expect(result.stderr.contains("organization \(f.orgs[0]): 20 entries, head seq 20, intact"), "\(result.stderr)")
        let recorded = try await f.pool.query("SELECT count(*) AS n FROM audit_chain_verifications WHERE ok AND chain = 'audit_logs'").single().decode(Int64.self, "n")
        #expect(recorded == 2)
        await f.pool.close()
    }

    @Test("§7 #5, #6, #14, #18: an edited field, a deleted middle row, a re-serialised payload, a chain without its genesis — each named at its seq (exit 2)")
    func tamperedRows() async throws {
        let f = try await fixture("audit-tamper", orgs: 4)
        let (a, b, c, d) = (f.orgs[0], f.orgs[1], f.orgs[2], f.orgs[3])
        try await Self.tamper(f, "UPDATE audit_logs SET actor = 'user:evil' WHERE organization_id = '\(a)'::uuid AND seq = 7")
        try await Self.tamper(f, "DELETE FROM audit_logs WHERE organization_id = '\(b)'::uuid AND seq = 5")
        try await Self.tamper(f, #"UPDATE audit_logs SET payload = '{"text":"Miete – Größe \"A\"; €", "amount":"3,00"}' WHERE organization_id = '\#(c)'::uuid AND seq = 3"#)
        try await Self.tamper(f, "DELETE FROM audit_logs WHERE organization_id = '\(d)'::uuid AND seq = 1")
        let result = try await Self.verify(f)
        #expect(result.status == 2, "\(result.stderr)")
        let found = result.problems.map { "\($0.org ?? "-") \($0.kind) \($0.seq)" }
        #expect(found.contains("\(a) hash mismatch 7") && !found.contains("\(a) hash mismatch 8"), "\(found)")
        #expect(found.contains("\(b) gap in seq 6") && found.contains("\(b) broken link 6"), "\(found)")
        #expect(found.contains("\(c) hash mismatch 3"), "\(found)")
        #expect(found.contains("\(d) bad genesis 2"), "\(found)")
        #expect(result.stderr.contains("organization \(a): 20 entries, head seq 20, 1 problem"), "\(result.stderr)")
        let failed = try await f.pool.query("SELECT count(*) AS n FROM audit_chain_verifications WHERE NOT ok AND problem_count > 0 AND first_problem IS NOT NULL").single().decode(Int64.self, "n")
        #expect(failed == 4)
        await f.pool.close()
    }

    @Test("--backup-audit-only: the backup_audit chain's edited row is a hash mismatch at its seq, a rewritten head a head-table mismatch")
    func backupAudit() async throws {
        let f = try await fixture("audit-backup", orgs: 1, rows: 1)
        for i in 1...3 {
            _ = try await f.pool.execute("INSERT INTO backup_audit (event_type, status, occurred_at, stanza) VALUES ('backup_full', 'succeeded', now(), \("s\(i)"))")
        }
        #expect(try await Self.verify(f, ["--backup-audit-only"]).status == 0)
        try await Self.tamper(f, "UPDATE backup_audit SET error_message = 'nothing happened' WHERE seq = 2")
        try await Self.tamper(f, "UPDATE backup_audit_head SET last_seq = 2")
        let result = try await Self.verify(f, ["--backup-audit-only"])
        #expect(result.status == 2)
        #expect(result.problems.map { "\($0.org ?? "backup_audit") \($0.kind) \($0.seq)" } == ["backup_audit hash mismatch 2", "backup_audit head table mismatch 3"],
                "\(result.problems)")
        await f.pool.close()
    }

    @Test("§7 #7: a row moved to another organization breaks both chains")
    func movedRow() async throws {
        let f = try await fixture("audit-move")
        try await Self.tamper(f, "UPDATE audit_logs SET organization_id = '\(f.orgs[1])'::uuid, seq = 21 WHERE organization_id = '\(f.orgs[0])'::uuid AND seq = 10")
        let result = try await Self.verify(f)
        #expect(result.status == 2)
        let found = result.problems.map { "\($0.org ?? "-") \($0.kind) \($0.seq)" }
        #expect(found.contains("\(f.orgs[0]) gap in seq 11") && found.contains("\(f.orgs[1]) hash mismatch 21") && found.contains("\(f.orgs[1]) broken link 21"), "\(found)")
        await f.pool.close()
    }

    @Test("§7 #8, #9, #10 with checkpoints in SeaweedFS: a recomputed history is a checkpoint mismatch, a cut tail or a TRUNCATE is beyond the head; a recorded restore explains it")
    func checkpoints() async throws {
        let f = try await fixture("audit-checkpoint", orgs: 3, worm: true)
        let written = try await TestBinary.run(["audit", "checkpoint"], environment: f.environment)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.split(separator: "\n").count == 3 && written.stdout.contains(#""state":"written""#), "\(written.stdout)")
        let again = try await TestBinary.run(["audit", "checkpoint"], environment: f.environment)
        #expect(again.status == 0 && !again.stdout.contains(#""state":"written""#) && again.stdout.contains("already names seq 20"), "\(again.stdout)")
        #expect(try await Self.verify(f).status == 0)
        let (a, b, c) = (f.orgs[0], f.orgs[1], f.orgs[2])
        // #8: edit seq 5, recompute every later hash and the head.
        try await Self.tamper(f, """
            DO $$ DECLARE r record; prev bytea; BEGIN
              UPDATE audit_logs SET actor = 'user:evil' WHERE organization_id = '\(a)'::uuid AND seq = 5;
              SELECT hash INTO prev FROM audit_logs WHERE organization_id = '\(a)'::uuid AND seq = 4;
              FOR r IN SELECT * FROM audit_logs WHERE organization_id = '\(a)'::uuid AND seq >= 5 ORDER BY seq LOOP
                UPDATE audit_logs SET prev_hash = prev, hash = audit_entry_hash(prev, r.organization_id, r.seq, r.occurred_at, r.actor, r.action, r.entity, r.entity_id, r.payload)
                  WHERE organization_id = r.organization_id AND seq = r.seq RETURNING hash INTO prev;
              END LOOP;
              UPDATE audit_chain_head SET last_hash = prev WHERE organization_id = '\(a)'::uuid;
            END $$
            """)
        // #9: cut the tail after seq 12, rewrite the head, and delete the checkpoint's row too:
        // the locked version is found in the store's listing.
        try await Self.tamper(f, """
            DELETE FROM audit_logs WHERE organization_id = '\(b)'::uuid AND seq > 12;
            DELETE FROM audit_checkpoints WHERE organization_id = '\(b)'::uuid;
            """)
        try await Self.tamper(f, "UPDATE audit_chain_head SET (last_seq, last_hash) = (SELECT seq, hash FROM audit_logs WHERE organization_id = '\(b)'::uuid AND seq = 12) WHERE organization_id = '\(b)'::uuid")
        // #10: TRUNCATE in replica mode (every organization's rows go; a and b were judged above).
        let result = try await Self.verify(f, ["--organization", a, "--organization", b])
        #expect(result.status == 2, "\(result.stderr)")
        let found = result.problems.map { "\($0.org ?? "-") \($0.kind) \($0.seq)" }
        #expect(found.contains("\(a) checkpoint mismatch 20") && !found.contains { $0.hasPrefix(a) && $0.contains("hash mismatch") }, "\(found)")
        #expect(found.contains("\(b) checkpoint beyond head 20") && found.count == 2, "\(found)")
        let details = (result.json["problems"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String }
        #expect(details.contains { $0.contains("(no row)") }, "\(details)")
        try await Self.tamper(f, "TRUNCATE audit_logs")
        let truncated = try await Self.verify(f, ["--organization", c])
        #expect(truncated.problems.map { "\($0.kind) \($0.seq)" } == ["checkpoint beyond head 20", "head table mismatch 0"], "\(truncated.problems)")
        // #20: a restore recorded after the checkpoint, to a point before it, explains "beyond head".
        let checkpointTime = try await f.pool.query("SELECT min(created_at) AS t FROM audit_checkpoints").single().decode(Timestamp.self, "t")
        _ = try await f.pool.execute("""
            INSERT INTO backup_audit (event_type, status, occurred_at, stanza, details)
            VALUES ('restore', 'succeeded', now(), 'main', \(#"{"target_time":"\#(checkpointTime.adding(seconds: -60).rfc3339)"}"#))
            """)
        try await Self.tamper(f, "UPDATE audit_chain_head SET (last_seq, last_hash) = (0, decode(repeat('00', 32), 'hex')) WHERE organization_id = '\(c)'::uuid")
        let explained = try await Self.verify(f, ["--organization", c])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stderr.contains("1 explained"), "\(explained.stderr)")
        await f.pool.close()
    }

    @Test("§7 #12: a deleted or overwritten checkpoint object is still read by its version; a bad signature, another organization's checkpoint, an unpinned key, a forged or unlocked replacement are invalid")
    func checkpointAttacks() async throws {
        let f = try await fixture("audit-forge", orgs: 2, worm: true)
        let client = try #require(f.client)
        let written = try await TestBinary.run(["audit", "checkpoint"], environment: f.environment)
        #expect(written.status == 0, "\(written.stderr)")
        let (a, b) = (f.orgs[0], f.orgs[1])
        let storageKey = try await f.pool.query("SELECT storage_key FROM audit_checkpoints WHERE organization_id = \(a)::uuid").single()
            .decode(String.self, "storage_key")
        let name = String(storageKey.dropFirst("audit/".count))
        // Another client adds a delete marker and a newer version over the key: the locked version is still read.
        _ = try client.deleteObject(name: name)
        _ = try client.putObject(name: name, bytes: Array("forged".utf8), contentType: "text/plain", retention: nil)
        let afterDelete = try await Self.verify(f)
        #expect(afterDelete.status == 0 && afterDelete.problems.isEmpty, "\(afterDelete.problems) \(afterDelete.stderr)")

        // An unpinned key: only another public key given, no signing key.
        let other = try Ed25519PrivateKey.generate()
        let otherFile = NSTemporaryDirectory() + "other-\(UUID().uuidString).pem"
        try other.publicKey.pem.write(toFile: otherFile, atomically: true, encoding: .utf8)
        let unpinned = Fixture(db: f.db, pool: f.pool, orgs: f.orgs, environment: f.environment.filter { $0.key != "IMMOFLOW_SIGNING_KEY_FILE" },
                           keyFile: f.keyFile, key: f.key, client: f.client)
        let wrongKey = try await Self.verify(unpinned, ["--public-key", otherFile])
        #expect(wrongKey.status == 2 && wrongKey.problems.map(\.kind) == ["invalid checkpoint", "invalid checkpoint"], "\(wrongKey.problems)")
        let noKey = try await Self.verify(unpinned)
        #expect(noKey.status == 1 && noKey.stderr.contains("no public key is pinned"), "\(noKey.stderr)")

        // Rows a superuser adds: b's checkpoint pointing at a's object; a checkpoint of b signed by another key.
        let head = try await f.pool.query("SELECT seq, hash FROM audit_logs WHERE organization_id = \(b)::uuid ORDER BY seq DESC LIMIT 1").single()
        let checkpoint = AuditCheckpoint(organizationID: b, seq: try head.decode(Int64.self, "seq"), hash: try head.decode(PostgresBytes.self, "hash").bytes,
                                         createdAt: Timestamp(Date()), keyID: f.key.publicKey.keyID)
        let forgedSignature = try other.sign(Array(checkpoint.text.utf8))
        try await Self.tamper(f, """
            INSERT INTO audit_checkpoints (organization_id, seq, hash, key_id, signature, storage_key, version_id)
            SELECT '\(b)'::uuid, seq, hash, key_id, signature, storage_key, version_id FROM audit_checkpoints WHERE organization_id = '\(a)'::uuid;
            INSERT INTO audit_checkpoints (organization_id, seq, hash, key_id, signature, created_at)
            VALUES ('\(b)'::uuid, \(checkpoint.seq), decode('\(Hex.encode(checkpoint.hash))', 'hex'), '\(checkpoint.keyID)',
                    decode('\(Hex.encode(forgedSignature))', 'hex'), '\(checkpoint.createdAt.rfc3339)')
            """)
        // A forged object locked in COMPLIANCE, and an unlocked one, put in place of a's checkpoint.
        let forgedObject = checkpoint.object(signature: forgedSignature)
        let lock = ObjectRetention(mode: .compliance, retainUntil: Timestamp(year: 2030, month: 1, day: 1)!)
        let forged = try client.putObject(name: "checkpoints/forged.txt", bytes: forgedObject, contentType: "text/plain", retention: lock)
        let unlocked = try client.putObject(name: "checkpoints/unlocked.txt", bytes: forgedObject, contentType: "text/plain", retention: nil)
        try await Self.tamper(f, """
            INSERT INTO audit_checkpoints (organization_id, seq, hash, key_id, signature, storage_key, version_id)
            VALUES ('\(b)'::uuid, \(checkpoint.seq), decode('\(Hex.encode(checkpoint.hash))', 'hex'), '\(checkpoint.keyID)',
                    decode('\(Hex.encode(forgedSignature))', 'hex'), '\(forged.key)', '\(forged.versionID)'),
                   ('\(b)'::uuid, \(checkpoint.seq), decode('\(Hex.encode(checkpoint.hash))', 'hex'), '\(checkpoint.keyID)',
                    decode('\(Hex.encode(forgedSignature))', 'hex'), '\(unlocked.key)', '\(unlocked.versionID)')
            """)
        let attacked = try await Self.verify(f, ["--organization", b])
        #expect(attacked.status == 2)
        let details = (attacked.json["problems"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String }
        #expect(attacked.problems.allSatisfy { $0.kind == "invalid checkpoint" } && attacked.problems.count == 4, "\(details)")
        #expect(details.contains { $0.contains("organization \(a)'s checkpoint") }, "\(details)")
        #expect(details.filter { $0.contains("bad signature") }.count == 2, "\(details)")
        #expect(details.contains { $0.contains("not locked, not COMPLIANCE") }, "\(details)")
        // A store that does not answer: could not verify (exit 1), never judged from the rows alone.
        var unreachable = f.environment
        unreachable["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:1"
        let down = try await TestBinary.run(["audit", "verify"], environment: unreachable)
        #expect(down.status == 1 && down.stdout.contains(#""completed":false"#), "\(down.status) \(down.stderr) \(down.stdout)")
        await f.pool.close()
    }

    @Test("a verification whose database goes away midway exits 1, not 0, and says so", .timeLimit(.minutes(2)))
    func databaseGoesAway() async throws {
        let f = try await fixture("audit-away", orgs: 1, rows: 1)
        // Enough rows that the COPY runs for a while (one statement through the trigger).
        _ = try await f.pool.execute("""
            INSERT INTO audit_logs (organization_id, actor, action, entity, entity_id, payload)
            SELECT \(f.orgs[0])::uuid, 'bulk', 'insert', 'ledger_entries', g::text, '{"n":' || g || '}' FROM generate_series(1, 300000) g
            """)
        let started = Task { try await TestBinary.run(["audit", "verify"], environment: f.environment) }
        // Terminate the verifier's backend as soon as its COPY runs.
        var terminated = false
        for _ in 0..<400 where !terminated {
            terminated = try await f.pool.query("""
                SELECT count(pg_terminate_backend(pid)) > 0 AS t FROM pg_stat_activity
                WHERE application_name = 'immoflow-compliance-cli' AND query LIKE 'COPY%' AND state = 'active'
                """).single().decode(Bool.self, "t")
            if !terminated { try await Task.sleep(for: .milliseconds(5)) }
        }
        let outcome = try await started.value
        #expect(terminated, "the COPY was never seen running")
        #expect(outcome.status == 1, "exit \(outcome.status): \(outcome.stderr)")
        #expect(outcome.stderr.contains("audit verify"), "\(outcome.stderr)")
        await f.pool.close()
    }
}
