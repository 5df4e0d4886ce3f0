import Chronology
import Gdpdu

/// What a built package is: its bytes' SHA-256 and size, every member, the chain segment and
/// checkpoint it carries, and the lock it needs (docs/gobd-bao-export.md §9).
public struct BuiltPackage: Sendable {
    public let exportID: String
    public let organizationID: String
    public let country: String
    public let profile: ExportProfile
    public let sha256: [UInt8]
    public let size: Int64
    public let members: [IntegrityManifest.Member]
    public let chain: IntegrityManifest.ChainSegment?
    /// The checkpoint object signed at export time (nil when the period has no audit entries).
    public let checkpointObject: [UInt8]?
    /// The earliest lawful S3 RetainUntilDate: the longest period of the package's classes.
    public let retainUntil: Timestamp

    /// Rows per data file (`ledger_entries` → n).
    public var rows: [String: Int64] {
        var out: [String: Int64] = [:]
        for m in members {
            if let r = m.rows, m.name.hasSuffix(".csv") { out[String(m.name.dropLast(4))] = r }
        }
        return out
    }

    /// `<org>_<from>_<to>.tar.gz` (§4 "Package layout").
    public static func fileName(organizationID: String, from: CalendarDate, to: CalendarDate) -> String {
        "\(organizationID)_\(from.iso)_\(to.iso).tar.gz"
    }
}
