import Redaction

/// How to reach PostgreSQL, and the per-connection defaults.
public struct ConnectionConfiguration: Sendable {
    /// A libpq connection string or URI (`postgresql://user@host:port/db?…`), as in `DATABASE_URL`.
    public var url: String
    /// `connect_timeout` in seconds unless the URL sets one (libpq's minimum is 2).
    public var connectTimeoutSeconds: Int
    /// `application_name` unless the URL sets one (shows in `pg_stat_activity`).
    public var applicationName: String
    /// Default per-query timeout; a query running longer is cancelled on the server.
    public var statementTimeout: Duration
    /// Server settings applied to every new session (`set_config(name, value, false)`), in order.
    public var sessionSettings: [(name: String, value: String)]

    public init(url: String, connectTimeoutSeconds: Int = 5, applicationName: String = "immoflow-compliance",
                statementTimeout: Duration = .seconds(30), sessionSettings: [(name: String, value: String)] = []) {
        self.url = url
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
        self.statementTimeout = statementTimeout
        self.sessionSettings = sessionSettings
    }

    /// Replaces the password in a URI (`scheme://user:secret@host`), a `password=` keyword or
    /// query parameter, and any other secret form `SecretRedaction` knows.
    public static func redact(_ url: String) -> String { SecretRedaction.text(url) }
}
