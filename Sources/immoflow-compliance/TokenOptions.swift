import ArgumentParser
import Compliance
import Foundation

/// Where the token pepper comes from: `--token-pepper-file`, `$IMMOFLOW_TOKEN_PEPPER_FILE`, or
/// `$IMMOFLOW_TOKEN_PEPPER`. At least 32 bytes; a trailing newline in the file is ignored. The
/// pepper is never printed.
struct TokenOptions: ParsableArguments {
    @Option(name: .customLong("token-pepper-file"), help: "File with the secret (≥ 32 bytes) that keys token hashes.")
    var pepperFile: String?

    /// The hasher, or nil when no pepper is configured at all.
    func hasher() throws -> TokenHasher? {
        let environment = ProcessInfo.processInfo.environment
        var bytes: [UInt8]
        if let path = pepperFile ?? environment["IMMOFLOW_TOKEN_PEPPER_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read the token pepper file '\(path)'")
            }
            bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        } else if let value = environment["IMMOFLOW_TOKEN_PEPPER"], !value.isEmpty {
            bytes = Array(value.utf8)
        } else {
            return nil
        }
        guard let hasher = TokenHasher(pepper: bytes) else {
            throw CommandFailure("the token pepper must be at least 32 bytes (it has \(bytes.count))")
        }
        return hasher
    }

    /// The hasher, or a failure saying how to configure one.
    func requiredHasher() throws -> TokenHasher {
        guard let hasher = try hasher() else {
            throw CommandFailure("no token pepper: set IMMOFLOW_TOKEN_PEPPER_FILE (or IMMOFLOW_TOKEN_PEPPER, ≥ 32 bytes) or pass --token-pepper-file",
                                 exitCode: 64)
        }
        return hasher
    }
}
