import Chronology
import Crypto

/// A signed statement of an organization's chain head (docs/audit-chain.md §5): the text that is
/// signed, in a fixed line order, UTF-8, each line ended by LF —
///
///     audit-checkpoint-v1
///     organization 7f3c2a9e-0000-4000-8000-000000000001
///     seq 1234
///     hash 5de05ca9…(64 hex)
///     created_at 2026-12-02T15:00:00.000000Z
///     encoding audit-v1
///     key_id 0123456789abcdef
///
/// The object stored in WORM is that text followed by `signature <base64 of the 64-byte Ed25519
/// signature over the text>` and LF: one file an auditor can check with `openssl pkeyutl`.
public struct AuditCheckpoint: Sendable, Equatable {
    public static let format = "audit-checkpoint-v1"

    /// `uuid::text`, lowercase.
    public var organizationID: String
    public var seq: Int64
    public var hash: [UInt8]
    public var createdAt: Timestamp
    public var encoding: String
    public var keyID: String

    public init(organizationID: String, seq: Int64, hash: [UInt8], createdAt: Timestamp, encoding: String = AuditChain.version, keyID: String) {
        self.organizationID = organizationID
        self.seq = seq
        self.hash = hash
        self.createdAt = createdAt
        self.encoding = encoding
        self.keyID = keyID
    }

    /// Years a checkpoint is locked in the WORM store: the books' period at its longest (§147
    /// Abs. 3 AO, 10 years; §132 BAO's 7 are shorter), whatever the organization's country.
    public static let retentionYears = 10

    /// The retain-until its object must be locked to: 1 January of the eleventh year after the
    /// year it was signed in (`RetentionRule`: the period starts at the end of that year).
    public var requiredRetainUntil: Timestamp {
        RetentionRule.retainUntil(year: createdAt.utcDate.components.year, years: Self.retentionYears) ?? .latest
    }

    /// The signed text.
    public var text: String {
        """
        \(Self.format)
        organization \(organizationID)
        seq \(seq)
        hash \(Hex.encode(hash))
        created_at \(createdAt.rfc3339)
        encoding \(encoding)
        key_id \(keyID)

        """
    }

    /// The object body: the text and its signature line.
    public func object(signature: [UInt8]) -> [UInt8] {
        Array((text + "signature \(Base64.encode(signature))\n").utf8)
    }

    /// The text signed by `key`, as the object body.
    public func signedObject(with key: Ed25519PrivateKey) throws(SigningKeyError) -> (object: [UInt8], signature: [UInt8]) {
        let signature = try key.sign(Array(text.utf8))
        return (object(signature: signature), signature)
    }

    /// True when `signature` over the text verifies with `key`, and `key` is the one named.
    public func isSigned(_ signature: [UInt8], by key: Ed25519PublicKey) -> Bool {
        key.keyID == keyID && key.isValidSignature(signature, of: Array(text.utf8))
    }

    /// Reads an object body back: exactly the lines above, re-rendered byte for byte (anything
    /// else — another order, extra spaces, CRLF, upper-case hex — is refused), and the signature.
    public static func parse(object: [UInt8]) -> Result<(checkpoint: AuditCheckpoint, signature: [UInt8]), CheckpointFormatError> {
        guard let text = String(validating: object, as: UTF8.self) else { return .failure(CheckpointFormatError("not UTF-8")) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 9, lines[8].isEmpty, lines[0] == format else {
            return .failure(CheckpointFormatError("not an \(format) object of 8 lines"))
        }
        lines.removeLast()
        func value(_ index: Int, _ name: String) -> String? {
            let prefix = name + " "
            return lines[index].hasPrefix(prefix) ? String(lines[index].dropFirst(prefix.count)) : nil
        }
        guard let organization = value(1, "organization"), let seqText = value(2, "seq"), let seq = Int64(seqText),
              let hashText = value(3, "hash"), let hash = Hex.decode(hashText), hash.count == 32,
              let createdText = value(4, "created_at"), let createdAt = Timestamp(rfc3339: createdText),
              let encoding = value(5, "encoding"), let keyID = value(6, "key_id"),
              let signatureText = value(7, "signature"), let signature = Base64.decode(signatureText), signature.count == 64 else {
            return .failure(CheckpointFormatError("a line is missing or malformed"))
        }
        let checkpoint = AuditCheckpoint(organizationID: organization, seq: seq, hash: hash, createdAt: createdAt, encoding: encoding, keyID: keyID)
        guard checkpoint.object(signature: signature) == object else {
            return .failure(CheckpointFormatError("not in the canonical rendering"))
        }
        return .success((checkpoint, signature))
    }
}
