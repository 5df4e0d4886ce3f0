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
/// sent to clients as an opaque string: the 16 bytes `microseconds ‖ seq` (two big-endian
/// two's-complement Int64) in unpadded base64url (RFC 4648 §5), always 22 characters.
///
/// A cursor is a position, not a secret or a capability: it only says where a page starts and
/// never widens a filter. So every string of the documented shape is a valid cursor, whatever
/// its origin (openapi.yaml `Cursor`: `^[A-Za-z0-9_-]{21}[AQgw]$`, the last character carrying
/// two bits and four zero bits). A time outside `Timestamp.earliest...latest` is moved to the
/// range's end with an extreme seq, which selects exactly the same rows, because every stored
/// `occurred_at` is inside it.
public struct BackupEventCursor: Sendable, Equatable {
    public let occurredAt: Timestamp
    public let seq: Int64

    public init(occurredAt: Timestamp, seq: Int64) {
        self.occurredAt = occurredAt
        self.seq = seq
    }

    /// Characters of an encoded cursor.
    public static let encodedLength = 22

    public var encoded: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for value in [occurredAt.microsecondsSinceEpoch, seq] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> Int64(shift))) }
        }
        return Base64URL.encode(bytes)
    }

    /// Any 22-character base64url text whose last character has no bits beyond the 16 bytes
    /// (one position has one spelling); nil for anything else.
    public init?(encoded text: String) {
        guard text.utf8.count == Self.encodedLength, let bytes = Base64URL.decode(text), bytes.count == 16,
              Base64URL.encode(bytes) == text else { return nil }
        func int64(_ at: Int) -> Int64 {
            var v: UInt64 = 0
            for k in at..<(at + 8) { v = v << 8 | UInt64(bytes[k]) }
            return Int64(bitPattern: v)
        }
        let micros = int64(0), seq = int64(8)
        // (t, s) with t beyond the range: every row comes before it, as before (latest, max);
        // t before the range: no row does, as with (earliest, min). Both stay bindable.
        if micros > Timestamp.latest.microsecondsSinceEpoch {
            self.init(occurredAt: .latest, seq: .max)
        } else if micros < Timestamp.earliest.microsecondsSinceEpoch {
            self.init(occurredAt: .earliest, seq: .min)
        } else {
            self.init(occurredAt: Timestamp(microsecondsSinceEpoch: micros), seq: seq)
        }
    }
}
