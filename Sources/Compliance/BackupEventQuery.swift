import Chronology

/// A page request for the backup event history: filters, page size and the keyset position.
public struct BackupEventQuery: Sendable, Equatable {
    public var types: [BackupEventType] = []
    public var statuses: [BackupEventStatus] = []
    public var stanza: String?
    public var repo: Int?
    /// Inclusive lower bound on `occurred_at`.
    public var from: Timestamp?
    /// Exclusive upper bound on `occurred_at`.
    public var to: Timestamp?
    public var limit = 50
    /// Continue after this position (newest first).
    public var after: BackupEventCursor?

    public static let maxLimit = 500

    public init() {}
}

/// The keyset position in the history (newest first: `occurred_at` descending, then `seq`),
/// sent to clients as an opaque string: `v1.<microseconds>.<seq>` in base64url. Not a secret
/// and not a capability: a forged cursor only moves the page, never past any filter.
public struct BackupEventCursor: Sendable, Equatable {
    public let occurredAt: Timestamp
    public let seq: Int64

    public init(occurredAt: Timestamp, seq: Int64) {
        self.occurredAt = occurredAt
        self.seq = seq
    }

    public var encoded: String {
        Base64URL.encode(Array("v1.\(occurredAt.microsecondsSinceEpoch).\(seq)".utf8))
    }

    /// Strict decoding: anything but a cursor this server wrote is nil.
    public init?(encoded text: String) {
        guard text.utf8.count <= 64, let bytes = Base64URL.decode(text),
              let plain = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1",
              let micros = Int64(parts[1]), let seq = Int64(parts[2]), seq > 0,
              !parts[1].hasPrefix("+"), !parts[2].hasPrefix("+"), !parts[2].hasPrefix("-")
        else { return nil }
        occurredAt = Timestamp(microsecondsSinceEpoch: micros)
        self.seq = seq
        // Only the canonical encoding is accepted, so one position has one cursor.
        guard encoded == text else { return nil }
    }
}
