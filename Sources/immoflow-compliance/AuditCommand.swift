import ArgumentParser
import Chronology
import Compliance
import Crypto
import Foundation
import JCS
import ObjectStoreClient
import Postgres
import WormMonitor

/// `immoflow-compliance audit verify|checkpoint|public-key`: the audit log's hash chains checked
/// against signed checkpoints locked in the WORM store (docs/audit-chain.md §5–§6). Exit 0
/// intact, 2 problems found, 1 could not verify (database unreachable, key missing), 64 usage.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit hash chains, sign checkpoints of their heads into the WORM store, print the public key.",
        subcommands: [Verify.self, Checkpoint.self, PublicKey.self])

    /// The signing key of `IMMOFLOW_SIGNING_KEY_FILE` (PKCS#8 PEM), nil when unset.
    static func signingKey() throws -> Ed25519PrivateKey? {
        guard let path = ProcessInfo.processInfo.environment["IMMOFLOW_SIGNING_KEY_FILE"], !path.isEmpty else { return nil }
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("audit: cannot read the signing key file \(path) (IMMOFLOW_SIGNING_KEY_FILE)")
        }
        do { return try Ed25519PrivateKey(pem: pem) } catch { throw CommandFailure("audit: \(path): \(error.reason)") }
    }

    /// The WORM store when `IMMOFLOW_WORM_BUCKET` is set (exit 64 for a broken configuration).
    static func store() throws -> S3Client? {
        let environment = ProcessInfo.processInfo.environment
        guard let bucket = environment["IMMOFLOW_WORM_BUCKET"], !bucket.isEmpty else { return nil }
        return try WormCommand.client()
    }

    /// Organization IDs given on the command line, as `uuid::text` (lowercase), or nil for all.
    static func organizations(_ given: [String]) throws -> [String]? {
        guard !given.isEmpty else { return nil }
        return try given.map { text in
            guard let uuid = UUID(uuidString: text) else { throw CommandFailure("--organization must be a UUID, not \(text)", exitCode: 64) }
            return uuid.uuidString.lowercased()
        }
    }

    /// Writes problems as they come, inside one JSON document: `{"problems":[…],"chains":[…],…}`.
    final class ProblemWriter: @unchecked Sendable {
        // @unchecked Sendable: used from one task at a time (the verification's callbacks run in order).
        private var first = true
        private let out = FileHandle.standardOutput

        init() { out.write(Data(#"{"problems":["#.utf8)) }

        func write(_ organization: String?, _ problems: [ChainProblem]) {
            guard !problems.isEmpty else { return }
            var text = ""
            for p in problems {
                guard case .object(var members) = AuditChainVerification.json(p) else { continue }
                members["chain"] = .string(organization == nil ? "backup_audit" : "audit_logs")
                members["organization_id"] = organization.map(CanonicalJSON.string) ?? .null
                text += (first ? "" : ",") + CanonicalJSON.object(members).text
                first = false
            }
            out.write(Data(text.utf8))
        }

        func finish(_ results: [ChainVerificationResult], extra: [String: CanonicalJSON]) {
            var members = extra
            members["ok"] = .bool(results.allSatisfy(\.ok))
            members["chains"] = .array(results.map { r in
                .object(["chain": .string(r.chain), "organization_id": r.organizationID.map(CanonicalJSON.string) ?? .null,
                         "entries": .integer(r.entries), "head_seq": .integer(r.headSeq), "head_hash": .string(Hex.encode(r.headHash)),
                         "ok": .bool(r.ok), "problem_count": .integer(Int64(r.problemCount - r.warningCount)),
                         "warning_count": .integer(Int64(r.warningCount)), "explained_count": .integer(Int64(r.explainedCount)),
                         "checkpoints_checked": .integer(Int64(r.checkpointsChecked))])
            })
            members["completed"] = .bool(true)
            // The object's remaining members after the array (member order is free in JSON).
            let rest = CanonicalJSON.object(members).text.dropFirst()
            out.write(Data(("]," + rest + "\n").utf8))
        }

        /// Ends the document of a run that could not finish (exit 1): what was found so far stays.
        func abort(_ message: String) {
            let rest = CanonicalJSON.object(["completed": .bool(false), "error": .string(message)]).text.dropFirst()
            out.write(Data(("]," + rest + "\n").utf8))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the audit_logs chains (and checkpoints) and, with --backup-audit, the backup_audit chain.",
            discussion: """
                Streams every organization's rows in seq order, recomputes each hash, and judges every signed checkpoint — read \
                back from the WORM store by version when IMMOFLOW_WORM_BUCKET is set — against the chain. Every problem is \
                printed (JSON on stdout), a summary per chain on stderr, and the run recorded in audit_chain_verifications. \
                Exit 0 intact, 2 problems found, 1 could not verify.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("organization"), help: "Only this organization (repeatable).") var organizationIDs: [String] = []
        @Flag(name: .customLong("backup-audit"), help: "Also verify the global backup_audit chain.") var backupAudit = false
        @Flag(name: .customLong("backup-audit-only"), help: "Verify only the backup_audit chain.") var backupAuditOnly = false
        @Option(name: .customLong("public-key"), help: "A PEM public key checkpoints may be signed with (repeatable; old keys after a rotation).")
        var publicKeyFiles: [String] = []

        func run() async throws {
            let organizations = try AuditCommand.organizations(organizationIDs)
            var keys: [Ed25519PublicKey] = []
            for path in publicKeyFiles {
                guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("audit verify: cannot read \(path)") }
                do { keys.append(try Ed25519PublicKey(pem: pem)) } catch { throw CommandFailure("audit verify: \(path): \(error.reason)") }
            }
            if let signing = try AuditCommand.signingKey(), !keys.contains(signing.publicKey) { keys.append(signing.publicKey) }
            let store = try AuditCommand.store()
            let (pool, url) = try database.pool()
            var started: ProblemWriter?
            do {
                if keys.isEmpty && !backupAuditOnly {
                    let count = try await pool.query("SELECT count(*) AS n FROM audit_checkpoints").first?.decode(Int64.self, "n") ?? 0
                    if count > 0 {
                        throw CommandFailure("audit verify: \(count) checkpoints are recorded but no public key is pinned: pass --public-key or set IMMOFLOW_SIGNING_KEY_FILE")
                    }
                }
                if store == nil { note("audit verify: IMMOFLOW_WORM_BUCKET is not set: checkpoints are judged from their rows only, not from the locked objects") }
                let writer = ProblemWriter()
                started = writer
                let verification = AuditChainVerification(pool: pool, store: store, keys: keys)
                let results = try await verification.run(organizations: organizations, auditLogs: !backupAuditOnly, backupAudit: backupAudit || backupAuditOnly,
                                                         report: { writer.write($0, $1) })
                writer.finish(results, extra: ["verified_at": .string(Timestamp(Date()).rfc3339), "keys": .array(keys.map { .string($0.keyID) })])
                for r in results { note(r.summary) }
                await pool.close()
                if !results.allSatisfy(\.ok) { throw ExitCode(2) }
            } catch let code as ExitCode {
                throw code
            } catch {
                await pool.close()
                let failure = CommandFailure("audit verify", error, databaseURL: url)
                started?.abort(failure.message)
                throw failure
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign each organization's verified chain head and lock it in the WORM store for 10 years.",
            discussion: """
                Needs IMMOFLOW_SIGNING_KEY_FILE (PKCS#8 PEM Ed25519: openssl genpkey -algorithm ed25519) and the WORM store \
                (IMMOFLOW_WORM_BUCKET, AWS_*). A chain with problems is not signed (exit 2). Prints one JSON line per organization.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("organization"), help: "Only this organization (repeatable).") var organizationIDs: [String] = []
        @Flag(help: "Sign even when the newest checkpoint already names the head.") var force = false

        func run() async throws {
            let organizations = try AuditCommand.organizations(organizationIDs)
            guard let key = try AuditCommand.signingKey() else {
                throw CommandFailure("audit checkpoint: no signing key: set IMMOFLOW_SIGNING_KEY_FILE to a PKCS#8 PEM Ed25519 key")
            }
            guard let store = try AuditCommand.store() else {
                throw CommandFailure("audit checkpoint: no WORM store: set IMMOFLOW_WORM_BUCKET and the AWS_* variables")
            }
            let (pool, url) = try database.pool()
            do {
                let writer = AuditCheckpointWriter(pool: pool, store: store, key: key, pinned: [])
                let outcomes = try await writer.run(organizations: organizations, force: force, now: Timestamp(Date()))
                for o in outcomes {
                    var members: [String: CanonicalJSON] = ["organization_id": .string(o.organizationID), "state": .string(o.state.rawValue),
                                                            "seq": .integer(o.seq), "detail": .string(o.detail)]
                    if let v = o.storageKey { members["storage_key"] = .string(v) }
                    if let v = o.versionID { members["version_id"] = .string(v) }
                    if let v = o.keyID { members["key_id"] = .string(v) }
                    print(CanonicalJSON.object(members).text)
                    note("organization \(o.organizationID): \(o.state.rawValue) at seq \(o.seq): \(o.detail)")
                }
                await pool.close()
                if outcomes.contains(where: { $0.state == .refused }) { throw ExitCode(2) }
            } catch let code as ExitCode {
                throw code
            } catch {
                await pool.close()
                throw CommandFailure("audit checkpoint", error, databaseURL: url)
            }
        }
    }

    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key",
            abstract: "Print the public key of IMMOFLOW_SIGNING_KEY_FILE (PEM) and its key ID (stderr): pin it for verification.")

        func run() async throws {
            guard let key = try AuditCommand.signingKey() else { throw CommandFailure("audit public-key: set IMMOFLOW_SIGNING_KEY_FILE", exitCode: 64) }
            print(key.publicKey.pem, terminator: "")
            note("key id \(key.publicKey.keyID)")
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

private func note(_ text: String) { AuditCommand.note(text) }
