import Postgres

/// The scratch cluster of a restore test while it runs: the restored database's URL (a Unix
/// socket in the scratch directory), the directory, and a pool on it.
public struct RestoredCluster: Sendable {
    public let url: String
    public let directory: String
    public let pool: ConnectionPool
}
