import Chronology
import Crypto
import XML

/// `integrity.xml`, the package's own manifest (not part of the GDPdU standard; `index.xml`
/// points to it with `<Extension>`): the export, organization and period, every member's row
/// count, size and SHA-256, the audit chain segment the package carries, the signed checkpoint
/// taken at export time and the public key — so an auditor can prove offline that the package is
/// complete and untouched. Signed as a whole by a detached Ed25519 signature
/// (`integrity.xml.sig`: base64 and LF). Attributes in a fixed order; every value escaped.
public struct IntegrityManifest: Sendable, Equatable {
    public static let format = "immoflow-integrity-v1"
    public static let fileName = "integrity.xml"
    public static let signatureFileName = "integrity.xml.sig"

    public struct Member: Sendable, Equatable {
        public var name: String
        public var rows: Int64?
        public var size: Int64
        public var sha256: [UInt8]

        public init(name: String, rows: Int64?, size: Int64, sha256: [UInt8]) {
            self.name = name
            self.rows = rows
            self.size = size
            self.sha256 = sha256
        }
    }

    public struct ChainSegment: Sendable, Equatable {
        public var firstSeq: Int64
        public var lastSeq: Int64
        /// The hash the first row links to (32 zero bytes at the genesis).
        public var previousHash: [UInt8]
        public var headHash: [UInt8]

        public init(firstSeq: Int64, lastSeq: Int64, previousHash: [UInt8], headHash: [UInt8]) {
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
            self.previousHash = previousHash
            self.headHash = headHash
        }
    }

    public var exportID: String
    public var profile: String
    public var createdAt: Timestamp
    public var generator: String
    public var organizationID: String
    public var country: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var members: [Member]
    public var chain: ChainSegment?
    /// The checkpoint object (`audit-checkpoint-v1` text and signature line) and where it is locked.
    public var checkpoint: (object: [UInt8], storageKey: String?, versionID: String?)?
    public var publicKey: Ed25519PublicKey

    public init(exportID: String, profile: String, createdAt: Timestamp, generator: String, organizationID: String, country: String,
                from: CalendarDate, to: CalendarDate, members: [Member], chain: ChainSegment?,
                checkpoint: (object: [UInt8], storageKey: String?, versionID: String?)?, publicKey: Ed25519PublicKey) {
        self.exportID = exportID
        self.profile = profile
        self.createdAt = createdAt
        self.generator = generator
        self.organizationID = organizationID
        self.country = country
        self.from = from
        self.to = to
        self.members = members
        self.chain = chain
        self.checkpoint = checkpoint
        self.publicKey = publicKey
    }

    public static func == (a: Self, b: Self) -> Bool { a.xml == b.xml }

    /// The document, UTF-8, LF line ends.
    public var xml: String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Integrity format=\"\(Self.format)\">\n"
        x += "  <Export" + attributes([("id", exportID), ("profile", profile), ("createdAt", createdAt.rfc3339), ("generator", generator)]) + "/>\n"
        x += "  <Organization" + attributes([("id", organizationID), ("country", country)]) + "/>\n"
        x += "  <Period" + attributes([("from", from.iso), ("to", to.iso)]) + "/>\n"
        for m in members {
            var a = [("name", m.name)]
            if let rows = m.rows { a.append(("rows", String(rows))) }
            a += [("bytes", String(m.size)), ("sha256", Hex.encode(m.sha256))]
            x += "  <File" + attributes(a) + "/>\n"
        }
        if let c = chain {
            x += "  <AuditChain" + attributes([("encoding", "audit-v1"), ("firstSeq", String(c.firstSeq)), ("lastSeq", String(c.lastSeq)),
                                              ("previousHash", Hex.encode(c.previousHash)), ("headHash", Hex.encode(c.headHash))]) + "/>\n"
        }
        if let c = checkpoint {
            var a: [(String, String)] = []
            if let key = c.storageKey { a.append(("storageKey", key)) }
            if let version = c.versionID { a.append(("versionId", version)) }
            x += "  <Checkpoint" + attributes(a) + ">" + Base64.encode(c.object) + "</Checkpoint>\n"
        }
        x += "  <PublicKey" + attributes([("keyId", publicKey.keyID)]) + ">\n" + escape(publicKey.pem) + "  </PublicKey>\n"
        return x + "</Integrity>\n"
    }

    /// The detached signature file of `xml` signed by `key`: base64 and LF.
    public static func signature(of xml: String, by key: Ed25519PrivateKey) throws(SigningKeyError) -> [UInt8] {
        Array((Base64.encode(try key.sign(Array(xml.utf8))) + "\n").utf8)
    }

    func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// XML 1.0 §2.4 and §3.3.3: `&`, `<`, `>`, `"` as entity references.
    func escape(_ text: String) -> String { XMLText.escape(text) }
}
