import Chronology

/// A page request for one organization's audit log, in chain order (ascending `seq`): filters on
/// time, actor, action and entity (exact), a page size, and the keyset position.
public struct AuditLogQuery: Sendable, Equatable {
    public var organizationID: String
    /// Inclusive lower bound on `occurred_at`.
    public var from: Timestamp?
    /// Exclusive upper bound on `occurred_at`.
    public var to: Timestamp?
    public var actor: String?
    public var action: String?
    public var entity: String?
    public var limit = 100
    /// Continue after this seq.
    public var afterSeq: Int64 = 0

    public static let maxLimit = 1000

    public init(organizationID: String) {
        self.organizationID = organizationID
    }

    /// The cursor of the page after the one ending at `seq`: the 8 bytes of `seq` (big-endian)
    /// in unpadded base64url, 11 characters.
    public static func cursor(after seq: Int64) -> String {
        Base64URL.encode((0..<8).map { UInt8(truncatingIfNeeded: seq >> Int64(56 - 8 * $0)) })
    }

    /// The seq a cursor continues after; nil for anything that is not exactly such a cursor.
    public static func seq(cursor text: String) -> Int64? {
        guard text.utf8.count == 11, let bytes = Base64URL.decode(text), bytes.count == 8, Base64URL.encode(bytes) == text else { return nil }
        // Any position is a position: a negative one (never a seq) starts at the beginning.
        return bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }
}
