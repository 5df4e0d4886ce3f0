/// What the API needs of the server's export jobs: to run a queued export in the background
/// (bounded concurrency, surviving the client that asked), and a package's bytes for a
/// download — from the export directory, or fetched back from the WORM store by version.
public protocol ExportScheduling: Sendable {
    /// Whether packages can be built at all (a signing key is configured), else why not.
    var unavailableReason: String? { get }
    /// Whether uploads to the WORM store are possible.
    var wormConfigured: Bool { get }
    /// Starts (or queues) the export; returns at once.
    func submit(_ record: ExportRecord) async
    /// The local file of a succeeded export, fetched from the WORM store first when it is
    /// locked there and missing here; nil when there is none.
    func packageFile(_ record: ExportRecord) async throws -> String?
}
