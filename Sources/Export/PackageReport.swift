import Chronology
import Gdpdu

/// What `verify-package` found: every finding (the first `keep` listed, all counted), the
/// members read, and what the manifest says the package is.
public struct PackageReport: Sendable {
    public struct Member: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let sha256: [UInt8]
        /// Data records (data files only).
        public let rows: Int64?
    }

    public var findings: [PackageFinding]
    public var findingCount: Int
    public var members: [Member]
    public var manifest: IntegrityManifest?
    /// Whether the manifest's key is the one given with `--public-key` (nil: none given).
    public var keyPinned: Bool?
    /// Audit entries recomputed from audit_logs.csv.
    public var chainEntries: Int64
    public var compressedSize: Int64

    public var valid: Bool { findingCount == 0 }
}
