import ArgumentParser
import Chronology
import Compliance
import ComplianceStore
import Foundation
import Postgres

/// `immoflow-compliance token create|list|revoke`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API bearer tokens (only a keyed hash is stored).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; prints the token alone on stdout (details on stderr). It cannot be shown again.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var tokens: TokenOptions
        @Option(help: "Unique name (1–64 of A–Z a–z 0–9 . _ -).") var name: String
        @Option(help: "viewer, auditor, operator or admin.") var role: String
        @Option(help: "Organization UUID the token is confined to (required for auditors).") var organization: String?
        @Option(name: .customLong("expires-in"), help: "Lifetime: Nd, Nh or Nm (e.g. 90d), at most \(TokenCommand.maximumDays)d. Tokens always expire: rotate them.")
        var expiresIn: String = "90d"

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be viewer, auditor, operator or admin") }
            if let organization, UUID(uuidString: organization) == nil { throw ValidationError("--organization must be a UUID") }
            guard TokenCommand.lifetime(expiresIn) != nil else {
                throw ValidationError("--expires-in must look like 90d, 12h or 30m, at most \(TokenCommand.maximumDays)d (tokens always expire: rotate them)")
            }
        }

        func run() async throws {
            let hasher = try tokens.requiredHasher()
            let expiresAt = Timestamp(Date()).adding(seconds: TokenCommand.lifetime(expiresIn)!)
            let (pool, url) = try database.pool(size: 1, statementTimeout: .seconds(30))
            do {
                let (token, record) = try await pool.withConnection {
                    try await TokenStore(hasher: hasher).create(name: name, role: Role(rawValue: role)!,
                                                                organization: organization.flatMap(UUID.init(uuidString:)),
                                                                expiresAt: expiresAt, on: $0)
                }
                await pool.close()
                print(token)
                FileHandle.standardError.write(Data(("token: created '\(record.name)' role \(record.role.rawValue)"
                    + (record.organizationID.map { " organization \($0)" } ?? "")
                    + ", expires \(record.expiresAt?.rfc3339Compact ?? "never")\n").utf8))
            } catch let refusal as TokenStore.Refusal {
                await pool.close()
                throw CommandFailure("token create: \(refusal.description)")
            } catch {
                await pool.close()
                throw CommandFailure("token create", error, databaseURL: url)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their values).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (pool, url) = try database.pool(size: 1, statementTimeout: .seconds(30))
            do {
                // listing needs no pepper: it never touches hashes
                let records = try await pool.withConnection { try await TokenStore().list(on: $0) }
                await pool.close()
                print("NAME\tROLE\tORGANIZATION\tCREATED\tEXPIRES\tREVOKED\tLAST_USED")
                for t in records {
                    print([t.name, t.role.rawValue, t.organizationID ?? "-", t.createdAt.rfc3339Compact,
                           t.expiresAt?.rfc3339Compact ?? "never", t.revokedAt?.rfc3339Compact ?? "-",
                           t.lastUsedAt?.rfc3339Compact ?? "-"].joined(separator: "\t"))
                }
            } catch {
                await pool.close()
                throw CommandFailure("token list", error, databaseURL: url)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name (effective within the server's cache time, 30 s).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            let (pool, url) = try database.pool(size: 1, statementTimeout: .seconds(30))
            do {
                let revoked = try await pool.withConnection { try await TokenStore().revoke(name: name, on: $0) }
                await pool.close()
                guard revoked else { throw CommandFailure("token revoke: no active token named '\(name)'") }
                FileHandle.standardError.write(Data("token: revoked '\(name)'\n".utf8))
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                await pool.close()
                throw CommandFailure("token revoke", error, databaseURL: url)
            }
        }
    }

    /// The longest lifetime a token may get: a yearly rotation with a month to spare. A token
    /// that never expires outlives the people and systems it was made for (there is no `never`).
    static let maximumDays: Int64 = 400

    /// Seconds for `90d`, `12h`, `30m` (digits only, at most `maximumDays`); nil if malformed.
    static func lifetime(_ text: String) -> Int64? {
        let digits = text.dropLast()
        guard let unit = text.last, (1...6).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let n = Int64(digits), n > 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "d": seconds = n * 86_400
        case "h": seconds = n * 3_600
        case "m": seconds = n * 60
        default: return nil
        }
        return seconds <= maximumDays * 86_400 ? seconds : nil
    }
}
