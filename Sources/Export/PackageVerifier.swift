import Archive
import Chronology
import Compliance
import Crypto
import Gdpdu
import XML

/// The auditor's offline verifier (docs/gobd-bao-export.md §6), fed the package's compressed
/// bytes in any pieces, in flat memory except for the keys other tables refer to:
///
/// - the container: one gzip stream (CRC-32 and size checked), a tar of plain regular files,
///   exactly index.xml, the DTD, the declared data files, integrity.xml and its signature;
/// - index.xml well-formed and valid against the built-in DataSet grammar, the shipped DTD
///   declaring that grammar, our conventions (§4) declared;
/// - every data file against its declaration (§6 items 4–6, 8), primary keys unique (rows in
///   key order: each key after the one before), foreign keys resolving, the organization the
///   manifest names, dates inside the period (§6 item 12);
/// - integrity.xml: every member's SHA-256, size and row count, its Ed25519 signature (with
///   the key it carries, and the pinned key when given);
/// - the audit chain recomputed from audit_logs.csv alone (§6 item 10): seq gap-free, each hash
///   from the CSV's values, the first `prev_hash` the manifest's anchor, the head and the
///   checkpoint signed at export time on the chain.
public final class PackageVerifier {
    let pinned: Ed25519PublicKey?
    let keep: Int
    private var stream: PackageStream
    private var findings: [PackageFinding] = []
    private var findingCount = 0
    private var members: [PackageReport.Member] = []

    // The member being read.
    private var current: (name: String, size: Int64)?
    private var buffer: [UInt8] = []
    private var fileCheck: GdpduFileCheck?
    private var records: RecordChecks?

    // What earlier members told.
    private var index: GdpduIndex?
    private var indexRead = false
    private var dtdBytes: [UInt8]?
    private var manifestBytes: [UInt8]?
    private var signatureBytes: [UInt8]?
    /// Primary keys of the tables other tables refer to, by table name.
    private var keys: [String: Set<[UInt8]>] = [:]
    /// Per data file: organization ids and the range of its period dates, checked at the end.
    private var organizations: [String: Set<String>] = [:]
    private var dates: [String: (CalendarDate, CalendarDate)] = [:]
    private var chain: ChainState?
    /// Whether the member being read is audit_logs.csv.
    private var chainActive = false

    static let smallMemberLimit: Int64 = 16 << 20

    public init(pinned: Ed25519PublicKey?, keep: Int = 1000) throws {
        self.pinned = pinned
        self.keep = keep
        stream = try PackageStream()
    }

    func add(_ finding: PackageFinding) {
        findingCount += 1
        if findings.count < keep { findings.append(finding) }
    }

    /// Feeds compressed bytes (on this thread). After a finding that ends the reading (a damaged
    /// stream), more bytes are ignored.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        stream.feed(bytes) { handle($0) }
    }

    private var stopped = false

    private func stop(_ message: String) {
        stopped = true
        add(PackageFinding(current?.name, message + (current == nil ? "" : " (while reading this member)")))
    }

    func handle(_ event: PackageStream.Event) {
        guard !stopped else { return }
        switch event {
        case .begin(let name, let size):
            current = (name, size)
            buffer.removeAll(keepingCapacity: true)
            begin(name)
        case .data(let bytes):
            guard let member = current else { return }
            if fileCheck != nil {
                bytes.withUnsafeBytes { feedData($0) }
            } else if Int64(buffer.count + bytes.count) <= Self.smallMemberLimit {
                buffer += bytes
            } else if Int64(buffer.count) <= Self.smallMemberLimit {
                add(PackageFinding(member.name, "larger than \(Self.smallMemberLimit) bytes: not read"))
                buffer.append(0)
            }
        case .end(let sha):
            guard let member = current else { return }
            end(member.name, size: member.size, sha: sha)
            current = nil
        case .failure(let message):
            stop(message)
        }
    }

    private func begin(_ name: String) {
        if members.contains(where: { $0.name == name }) { add(PackageFinding(name, "appears twice in the archive")) }
        guard let table = index?.tables.first(where: { $0.url == name }) else {
            if name.hasSuffix(".csv") && !indexRead { add(PackageFinding(name, "a data file before index.xml: its declaration is unknown when it is read")) }
            return
        }
        fileCheck = GdpduFileCheck(table: table, keep: keep)
        records = RecordChecks(table: table, tables: index?.tables ?? [], keys: keys)
        chainActive = table.name == "audit_logs"
        if chainActive && chain == nil { chain = ChainState(table: table) }
    }

    private func feedData(_ bytes: UnsafeRawBufferPointer) {
        fileCheck!.feed(bytes) { self.record($0) }
    }

    private func record(_ r: GdpduRecord) {
        guard let name = current?.name else { return }
        for message in records!.check(r) { add(PackageFinding(name, line: r.line, message)) }
        if chainActive, let message = chain!.consume(r) { add(PackageFinding(name, line: r.line, message)) }
    }

    private func end(_ name: String, size: Int64, sha: [UInt8]) {
        var rows: Int64?
        if fileCheck != nil {
            fileCheck!.finish { self.record($0) }
            for f in fileCheck!.findings { add(PackageFinding(name, line: f.line, f.message)) }
            findingCount += fileCheck!.findingCount - fileCheck!.findings.count
            rows = fileCheck!.rows
            if let r = records {
                if !r.collected.isEmpty || r.collecting { keys[r.table.name] = r.collected }
                organizations[name] = r.organizations
                if let range = r.dateRange { dates[name] = range }
            }
            fileCheck = nil
            records = nil
            chainActive = false
        } else {
            small(name)
        }
        members.append(PackageReport.Member(name: name, size: size, sha256: sha, rows: rows))
    }

    /// index.xml, the DTD, integrity.xml and its signature: read whole.
    private func small(_ name: String) {
        let bytes = buffer
        buffer = []
        switch name {
        case "index.xml":
            indexRead = true
            let (document, problems) = GdpduGrammar.validate(bytes)
            for p in problems { add(PackageFinding("index.xml", p)) }
            if let document {
                let (read, conventions) = GdpduIndex.read(document.root)
                for c in conventions { add(PackageFinding(nil, c)) }
                index = read
                if !read.extensions.contains(where: { $0.url == IntegrityManifest.fileName }) {
                    add(PackageFinding("index.xml", "no Extension points to \(IntegrityManifest.fileName)"))
                }
            }
        case GdpduIndex.dtdFileName: dtdBytes = bytes
        case IntegrityManifest.fileName: manifestBytes = bytes
        case IntegrityManifest.signatureFileName: signatureBytes = bytes
        default:
            if name.hasSuffix(".csv"), indexRead { add(PackageFinding(name, "a data file index.xml does not declare")) }
        }
    }

    /// Ends the reading and judges what only the whole shows.
    public func finish() -> PackageReport {
        stream.finish { handle($0) }
        return judge(compressedSize: stream.compressed)
    }

    /// What only the whole shows, once every member was read.
    func judge(compressedSize: Int64) -> PackageReport {
        if current != nil { add(PackageFinding(current?.name, "the archive ends inside this member")) }
        let manifest = judgeManifest()
        judgeContainer()
        if let manifest { judgeContent(manifest) }
        return PackageReport(findings: findings, findingCount: findingCount, members: members, manifest: manifest, keyPinned: keyPinned,
                             chainEntries: chain?.entries ?? 0, compressedSize: compressedSize)
    }

    private var keyPinned: Bool?

    /// Exactly the declared files, each once (§6 items 3, 11).
    private func judgeContainer() {
        guard indexRead else {
            add(PackageFinding(nil, "no index.xml in the package"))
            return
        }
        var expected = ["index.xml", GdpduIndex.dtdFileName, IntegrityManifest.fileName, IntegrityManifest.signatureFileName]
        expected += index?.tables.map(\.url) ?? []
        let names = members.map(\.name)
        for e in expected where !names.contains(e) { add(PackageFinding(nil, "\(e) is missing from the package")) }
        for n in Set(names) where !expected.contains(n) && !n.hasSuffix(".csv") { add(PackageFinding(n, "not a file of the package format")) }
        if let dtd = dtdBytes, let problem = GdpduGrammar.difference(dtd) { add(PackageFinding(GdpduIndex.dtdFileName, problem)) }
    }

    private func judgeManifest() -> IntegrityManifest? {
        guard let bytes = manifestBytes else { return nil }
        let manifest: IntegrityManifest
        switch IntegrityManifest.read(bytes) {
        case .success(let m): manifest = m
        case .failure(let error):
            add(PackageFinding(IntegrityManifest.fileName, error.message))
            return nil
        }
        if let pinned {
            keyPinned = pinned == manifest.publicKey
            if pinned != manifest.publicKey {
                add(PackageFinding(IntegrityManifest.fileName, "signed with key \(manifest.publicKey.keyID), not the given key \(pinned.keyID)"))
            }
        }
        if let signatureBytes {
            let text = String(decoding: signatureBytes, as: UTF8.self)
            // Exactly the file the exporter writes: canonical base64 of 64 bytes and LF (no other
            // text may stand in for it, not even one that decodes to the same bytes).
            if let signature = Base64.decode(String(text.dropLast())), signature.count == 64, Array((Base64.encode(signature) + "\n").utf8) == signatureBytes {
                if !manifest.publicKey.isValidSignature(signature, of: bytes) {
                    add(PackageFinding(IntegrityManifest.signatureFileName, "the signature does not verify integrity.xml with key \(manifest.publicKey.keyID)"))
                }
            } else {
                add(PackageFinding(IntegrityManifest.signatureFileName, "not an Ed25519 signature in canonical base64 and LF"))
            }
        }
        return manifest
    }

    private func judgeContent(_ manifest: IntegrityManifest) {
        // Every member the manifest lists: present, same size, SHA-256 and rows (§6 item 11).
        for m in manifest.members {
            guard let found = members.first(where: { $0.name == m.name }) else {
                add(PackageFinding(m.name, "listed in integrity.xml but not in the package"))
                continue
            }
            if found.size != m.size { add(PackageFinding(m.name, "\(found.size) bytes, integrity.xml says \(m.size)")) }
            if found.sha256 != m.sha256 { add(PackageFinding(m.name, "SHA-256 \(Hex.encode(found.sha256)), integrity.xml says \(Hex.encode(m.sha256))")) }
            if let rows = m.rows, found.rows != rows { add(PackageFinding(m.name, "\(found.rows ?? 0) rows, integrity.xml says \(rows)")) }
        }
        for found in members where found.name != IntegrityManifest.fileName && found.name != IntegrityManifest.signatureFileName {
            if !manifest.members.contains(where: { $0.name == found.name }) { add(PackageFinding(found.name, "not listed in integrity.xml")) }
        }
        // The period and the organization (§6 item 12).
        for table in index?.tables ?? [] {
            if let v = table.validity, v.from != manifest.from || v.to != manifest.to {
                add(PackageFinding(table.url, "Validity \(v.from.iso) to \(v.to.iso), the package's period is \(manifest.from.iso) to \(manifest.to.iso)"))
            }
            if let orgs = organizations[table.url], !orgs.isSubset(of: [manifest.organizationID]) {
                add(PackageFinding(table.url, "rows of organization \(orgs.subtracting([manifest.organizationID]).sorted().joined(separator: ", ")), the package is \(manifest.organizationID)'s"))
            }
            if let (low, high) = dates[table.url], low < manifest.from || high > manifest.to {
                add(PackageFinding(table.url, "dates from \(low.iso) to \(high.iso), outside the period \(manifest.from.iso) to \(manifest.to.iso)"))
            }
        }
        judgeChain(manifest)
    }

    /// The chain segment against the manifest's anchor and head, and the checkpoint (§6 item 10).
    private func judgeChain(_ manifest: IntegrityManifest) {
        let file = "audit_logs.csv"
        guard let state = chain else { return }
        guard let segment = manifest.chain else {
            if state.entries > 0 { add(PackageFinding(file, "audit entries, but integrity.xml names no chain segment")) }
            return
        }
        guard let first = state.first, let head = state.head else {
            add(PackageFinding(file, "no audit entries, integrity.xml names seq \(segment.firstSeq) to \(segment.lastSeq)"))
            return
        }
        if first.seq != segment.firstSeq || head.seq != segment.lastSeq {
            add(PackageFinding(file, "entries seq \(first.seq) to \(head.seq), integrity.xml names \(segment.firstSeq) to \(segment.lastSeq)"))
        }
        if first.prevHash != segment.previousHash {
            add(PackageFinding(file, "the first entry links to \(Hex.encode(first.prevHash)), integrity.xml anchors the segment at \(Hex.encode(segment.previousHash))"))
        }
        if head.hash != segment.headHash {
            add(PackageFinding(file, "the last entry's hash is \(Hex.encode(head.hash)), integrity.xml names \(Hex.encode(segment.headHash))"))
        }
        guard let object = manifest.checkpoint?.object else {
            add(PackageFinding(IntegrityManifest.fileName, "no checkpoint for the chain segment"))
            return
        }
        switch AuditCheckpoint.parse(object: object) {
        case .failure(let error):
            add(PackageFinding(IntegrityManifest.fileName, "the checkpoint cannot be read: \(error)"))
        case .success(let (checkpoint, signature)):
            let key = pinned ?? manifest.publicKey
            if !checkpoint.isSigned(signature, by: key) { add(PackageFinding(IntegrityManifest.fileName, "the checkpoint's signature does not verify with key \(key.keyID)")) }
            if checkpoint.organizationID != manifest.organizationID {
                add(PackageFinding(IntegrityManifest.fileName, "the checkpoint is of organization \(checkpoint.organizationID)"))
            }
            if checkpoint.seq != head.seq || checkpoint.hash != head.hash {
                add(PackageFinding(IntegrityManifest.fileName, "the checkpoint names seq \(checkpoint.seq) hash \(Hex.encode(checkpoint.hash)), the chain's head is seq \(head.seq) hash \(Hex.encode(head.hash))"))
            }
        }
    }
}
