import Chronology
import Crypto
import XML

extension IntegrityManifest {
    /// Why `integrity.xml` could not be read back.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { "integrity.xml: \(message)" }
    }

    /// Reads `integrity.xml` (bytes) back, strictly: the format named, every required attribute
    /// present and well-formed. Rendering the result gives the same document for one we wrote.
    public static func read(_ bytes: [UInt8]) -> Result<IntegrityManifest, ReadError> {
        let root: XMLElement
        switch XMLReader.parse(bytes, maxBytes: 4 << 20) {
        case .success(let r): root = r
        case .failure(let error): return .failure(ReadError(message: "\(error)"))
        }
        do {
            return .success(try read(root))
        } catch let error as ReadError {
            return .failure(error)
        } catch {
            return .failure(ReadError(message: "\(error)"))
        }
    }

    static func read(_ root: XMLElement) throws -> IntegrityManifest {
        guard root.qualifiedName == "Integrity", root.attribute("format") == format else {
            throw ReadError(message: "not an \(format) document")
        }
        func element(_ name: String) throws -> XMLElement {
            let found = root.children(name)
            guard found.count == 1 else { throw ReadError(message: "\(found.count) <\(name)> elements, not one") }
            return found[0]
        }
        func attribute(_ e: XMLElement, _ name: String) throws -> String {
            guard let value = e.attribute(name) else { throw ReadError(message: "<\(e.name)> without \(name)") }
            return value
        }
        func hash(_ e: XMLElement, _ name: String) throws -> [UInt8] {
            guard let bytes = Hex.decode(try attribute(e, name)), bytes.count == 32 else { throw ReadError(message: "<\(e.name)> \(name) is not 64 hex digits") }
            return bytes
        }
        func number(_ e: XMLElement, _ name: String) throws -> Int64 {
            let text = try attribute(e, name)
            guard let n = Int64(text), n >= 0, String(n) == text else { throw ReadError(message: "<\(e.name)> \(name) \"\(text)\" is not a count") }
            return n
        }
        let export = try element("Export"), organization = try element("Organization"), period = try element("Period")
        guard let createdAt = Timestamp(rfc3339: try attribute(export, "createdAt")) else { throw ReadError(message: "<Export> createdAt is not a time") }
        guard let from = CalendarDate(iso: try attribute(period, "from")), let to = CalendarDate(iso: try attribute(period, "to")) else {
            throw ReadError(message: "<Period> from and to are not dates")
        }
        var members: [Member] = []
        for f in root.children("File") {
            members.append(Member(name: try attribute(f, "name"), rows: f.attribute("rows") == nil ? nil : try number(f, "rows"),
                                  size: try number(f, "bytes"), sha256: try hash(f, "sha256")))
        }
        var chain: ChainSegment?
        if let c = root.child("AuditChain") {
            guard c.attribute("encoding") == "audit-v1" else { throw ReadError(message: "<AuditChain> encoding is not audit-v1") }
            chain = ChainSegment(firstSeq: try number(c, "firstSeq"), lastSeq: try number(c, "lastSeq"),
                                 previousHash: try hash(c, "previousHash"), headHash: try hash(c, "headHash"))
        }
        var checkpoint: (object: [UInt8], storageKey: String?, versionID: String?)?
        if let c = root.child("Checkpoint") {
            guard let object = Base64.decode(c.text) else { throw ReadError(message: "<Checkpoint> is not base64") }
            checkpoint = (object, c.attribute("storageKey"), c.attribute("versionId"))
        }
        let keyElement = try element("PublicKey")
        let publicKey: Ed25519PublicKey
        do { publicKey = try Ed25519PublicKey(pem: keyElement.text) } catch { throw ReadError(message: "<PublicKey> is not an Ed25519 public key: \(error)") }
        return IntegrityManifest(exportID: try attribute(export, "id"), profile: try attribute(export, "profile"), createdAt: createdAt,
                                 generator: try attribute(export, "generator"), organizationID: try attribute(organization, "id"),
                                 country: try attribute(organization, "country"), from: from, to: to, members: members, chain: chain,
                                 checkpoint: checkpoint, publicKey: publicKey)
    }
}
