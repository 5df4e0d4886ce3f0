/// Rewrites the wrapped command line (pure): `backup run … -- <command …>`.
///
/// The wrapped command is whatever cron or systemd runs, e.g. `pgbackrest --stanza=main
/// --type=full backup`, maybe behind `runuser -u postgres --` or `sudo -u postgres`. The first
/// argument whose basename is `pgbackrest` is pgBackRest itself; everything before it is the
/// prefix (kept for the `info` call, so it runs as the same user).
public struct BackupCommandLine: Sendable, Equatable {
    public let arguments: [String]
    /// Index of the pgBackRest executable in `arguments`, if there is one.
    public let pgbackrestIndex: Int?

    public init(_ arguments: [String]) {
        self.arguments = arguments
        pgbackrestIndex = arguments.firstIndex { $0.split(separator: "/").last == "pgbackrest" }
    }

    /// The command with `--annotation=audit_event_id=<id>` right after the executable (options may
    /// precede the command word; `--annotation` exists since 2.41). Unchanged without pgBackRest.
    public func annotated(eventID: String) -> [String] {
        guard let index = pgbackrestIndex else { return arguments }
        var out = arguments
        out.insert("--annotation=audit_event_id=\(eventID)", at: index + 1)
        return out
    }

    /// The value of `--name=value` or `--name value` among pgBackRest's own options.
    public func option(_ name: String) -> String? {
        guard let index = pgbackrestIndex else { return nil }
        var k = index + 1
        while k < arguments.count {
            let a = arguments[k]
            if a.hasPrefix("--\(name)=") { return String(a.dropFirst(name.count + 3)) }
            if a == "--\(name)", k + 1 < arguments.count { return arguments[k + 1] }
            k += 1
        }
        return nil
    }

    /// `[prefix…] pgbackrest [--config…] --stanza=S [--repo=N] --output=json --log-level-console=off
    /// info`: the same user and configuration as the wrapped command; only options `info`
    /// accepts are carried over. Nil without pgBackRest in the command.
    public func infoCommand(stanza: String?, repo: Int?) -> [String]? {
        guard let index = pgbackrestIndex else { return nil }
        var out = Array(arguments[...index])
        for name in ["config", "config-path", "config-include-path"] {
            if let value = option(name) { out.append("--\(name)=\(value)") }
        }
        if let stanza { out.append("--stanza=\(stanza)") }
        if let repo { out.append("--repo=\(repo)") }
        out += ["--output=json", "--log-level-console=off", "info"]
        return out
    }
}
