import ArgumentParser
import Crypto
import Export
import Foundation
import Gdpdu
import JCS
import ObjectStoreClient

/// `immoflow-compliance verify-package FILE [--public-key PEM] [--json]`: the auditor's offline
/// verifier of an export package (docs/gobd-bao-export.md §6) — no database, no network, no
/// Java. Exit 0 valid, 2 findings (every one listed), 1 the file cannot be read, 64 usage.
struct VerifyPackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-package",
        abstract: "Verify an export package offline: container, index.xml grammar, every data file, integrity.xml and its signature, the audit chain.",
        discussion: """
            Without --public-key the signatures are checked with the key the package carries, which proves the package \
            unchanged since it was signed but not who signed it: pin the issuer's key (`immoflow-compliance audit public-key`).
            """)

    @Argument(help: "The package (.tar.gz).") var file: String
    @Option(name: .customLong("public-key"), help: "The issuer's Ed25519 public key (PEM) the package must be signed with.") var publicKey: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        var pinned: Ed25519PublicKey?
        if let publicKey {
            guard let pem = try? String(contentsOfFile: publicKey, encoding: .utf8) else { throw CommandFailure("verify-package: cannot read \(publicKey)") }
            do { pinned = try Ed25519PublicKey(pem: pem) } catch { throw CommandFailure("verify-package: \(publicKey): \(error.reason)", exitCode: 64) }
        }
        let path = file
        let key = pinned
        // Two threads that block (read and inflate, check): off the cooperative pool.
        let report: PackageReport
        do { report = try await OffPool.run { () throws(PackageVerifier.Unreadable) in try PackageVerifier.verifyFile(path, pinned: key) } } catch {
            throw CommandFailure("verify-package: \(error.message)")
        }
        if json {
            print(Self.json(report, file: file).text)
        } else {
            print(Self.text(report, file: file), terminator: "")
        }
        if !report.valid { throw ExitCode(2) }
    }

    static func text(_ r: PackageReport, file: String) -> String {
        var out = r.valid ? "valid: \(file)\n" : "INVALID: \(file): \(r.findingCount) finding\(r.findingCount == 1 ? "" : "s")\n"
        for f in r.findings { out += "  - \(f.description)\n" }
        if r.findingCount > r.findings.count { out += "  … and \(r.findingCount - r.findings.count) more\n" }
        if let m = r.manifest {
            out += "export \(m.exportID) (\(m.profile)) of organization \(m.organizationID) (\(m.country)), \(m.from.iso) to \(m.to.iso), created \(m.createdAt.rfc3339) by \(m.generator)\n"
            if let c = m.chain { out += "audit chain: seq \(c.firstSeq) to \(c.lastSeq), head \(Hex.encode(c.headHash)), \(r.chainEntries) entries recomputed\n" }
            out += "signed with key \(m.publicKey.keyID)" + (r.keyPinned == true ? " (the given key)\n" : r.keyPinned == false ? " (NOT the given key)\n"
                : " (the key the package carries: pin the issuer's with --public-key)\n")
        }
        for m in r.members {
            out += "  \(m.name): \(m.size) bytes" + (m.rows.map { ", \($0) rows" } ?? "") + ", sha256 \(Hex.encode(m.sha256))\n"
        }
        return out
    }

    static func json(_ r: PackageReport, file: String) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "file": .string(file), "valid": .bool(r.valid), "finding_count": .integer(Int64(r.findingCount)),
            "findings": .array(r.findings.map { f in
                .object(["member": f.member.map(CanonicalJSON.string) ?? .null, "line": f.line.map { .integer(Int64($0)) } ?? .null,
                         "message": .string(f.message)])
            }),
            "members": .array(r.members.map { m in
                .object(["name": .string(m.name), "size_bytes": .integer(m.size), "sha256": .string(Hex.encode(m.sha256)),
                         "rows": m.rows.map { .integer($0) } ?? .null])
            }),
            "chain_entries_recomputed": .integer(r.chainEntries),
            "key_pinned": r.keyPinned.map(CanonicalJSON.bool) ?? .null,
        ]
        if let m = r.manifest {
            members["export_id"] = .string(m.exportID)
            members["organization_id"] = .string(m.organizationID)
            members["profile"] = .string(m.profile)
            members["from"] = .string(m.from.iso)
            members["to"] = .string(m.to.iso)
            members["key_id"] = .string(m.publicKey.keyID)
        }
        return .object(members)
    }
}
