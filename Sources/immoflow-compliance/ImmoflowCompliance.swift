import API
import ArgumentParser
import Foundation
import Redaction

/// `immoflow-compliance`: the compliance API server and its operations commands.
@main
struct ImmoflowCompliance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "immoflow-compliance",
        abstract: "Compliance API server of ImmoflowMe: backup evidence, GoBD/BAO exports, WORM status.",
        version: BuildInfo.version,
        subcommands: [ServeCommand.self, MigrateCommand.self, DemoDataCommand.self, TokenCommand.self, BackupCommand.self, WormCommand.self, AuditCommand.self, ExportCommand.self,
                      VerifyPackageCommand.self, DRCommand.self])

    /// Parses and runs a command. Every failure is one line on stderr and a non-zero exit:
    /// 64 for a usage error (EX_USAGE), 1 for anything else; never a stack trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withFailure: error)
        }
    }

    static func exit(withFailure error: Error) -> Never {
        // A wrapped command's exit code, passed through silently (its output and our notes went
        // to stderr already; "see --help" would send the operator to the wrong place).
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if let failure = error as? CommandFailure {
            // Messages quote commands, URLs and error lines: never a secret on the terminal or in cron mail.
            FileHandle.standardError.write(Data("immoflow-compliance: \(SecretRedaction.text(failure.message))\n".utf8))
            Foundation.exit(failure.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version: the full text, on stdout.
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        FileHandle.standardError.write(Data("immoflow-compliance: \(message) (see --help)\n".utf8))
        Foundation.exit(code.rawValue)
    }
}
