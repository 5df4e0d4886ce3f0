/// Command lines go into `details` and logs; secrets must not. pgBackRest takes secrets as
/// options (`--repo1-cipher-pass`, `--repo1-s3-key`, `--repo1-s3-key-secret`, …): the value of
/// any option whose name contains `pass`, `key`, `secret` or `token` is replaced by `<redacted>`
/// (`--name value` form included). `--annotation` values are ours and kept.
public enum CommandRedaction {
    static let sensitive = ["pass", "key", "secret", "token"]

    public static func redact(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var redactNext = false
        for argument in arguments {
            if redactNext {
                out.append("<redacted>")
                redactNext = false
                continue
            }
            guard argument.hasPrefix("--"), !argument.hasPrefix("--annotation") else {
                out.append(argument)
                continue
            }
            let name = argument.dropFirst(2).prefix { $0 != "=" }.lowercased()
            guard sensitive.contains(where: { name.contains($0) }) else {
                out.append(argument)
                continue
            }
            if argument.contains("=") {
                out.append("--\(name)=<redacted>")
            } else {
                out.append(argument)
                redactNext = true
            }
        }
        return out
    }
}
