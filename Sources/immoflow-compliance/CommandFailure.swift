import Foundation
import Migrations
import Postgres
import Redaction

/// A command's failure: one lowercase line for stderr and the exit code.
struct CommandFailure: Error {
    let message: String
    var exitCode: Int32 = 1

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Describes a failure for an operator: what failed and why, never a password or libpq dump.
    init(_ context: String, _ error: Error, databaseURL: String? = nil) {
        switch error {
        case let failure as CommandFailure:
            self = failure
        case let error as PostgresError:
            var text = "\(context): "
            switch error.code {
            case .connectionFailed:
                let target = databaseURL.map { " (\(ConnectionConfiguration.redact($0)))" } ?? ""
                text += "cannot connect to the database\(target): \(Self.redacting(error.message, databaseURL))"
            case .connectionLost:
                text += "the database connection was lost: \(error.message)"
            case .server where error.category == .permissionDenied:
                text += "permission denied: \(error.message)"
            default:
                text += error.description
            }
            self.init(text)
        case let error as MigrationError:
            self.init("\(context): \(error.description)")
        default:
            self.init("\(context): \(error)")
        }
    }

    /// libpq messages do not contain passwords, but never trust that for a URL we were given.
    private static func redacting(_ message: String, _ url: String?) -> String {
        guard let url, let password = Self.password(in: url), !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: SecretRedaction.marker)
    }

    private static func password(in url: String) -> String? {
        let redacted = ConnectionConfiguration.redact(url)
        guard redacted != url else { return nil }
        // The password is what redaction replaced: the first differing span.
        let a = Array(url), b = Array(redacted)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        var j = 0
        while j < a.count - i, j < b.count - i, a[a.count - 1 - j] == b[b.count - 1 - j] { j += 1 }
        return String(a[i..<(a.count - j)])
    }
}
