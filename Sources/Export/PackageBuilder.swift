import Archive
import Chronology
import Compliance
import Crypto
import Gdpdu
import Glibc
import Postgres

/// Builds one package (docs/gobd-bao-export.md §4) as a stream, in bounded memory at any size:
/// each table's rows come from a binary COPY in one REPEATABLE READ, READ ONLY snapshot, are
/// rendered as GDPdU records and compressed on a thread of their own (`MemberSpool`) into a
/// scratch file while the next chunk is read; the audit chain segment is verified on the way
/// (a broken chain is never signed). Then index.xml (MaxLength from the data), the DTD, the
/// data files, integrity.xml and its signature go through tar and gzip into `sink`.
public struct PackageBuilder: Sendable {
    /// Rows and bytes done so far, for a progress line.
    public struct Progress: Sendable {
        public var table: String
        public var rows: Int64
        public var totalRows: Int64
        public var bytes: Int64
    }

    public let pool: ConnectionPool
    public let key: Ed25519PrivateKey
    public let dtd: [UInt8]
    public let generator: String
    /// Where the scratch files go (a directory of its own is made and removed in it).
    public let scratch: String
    public let level: Int32

    public init(pool: ConnectionPool, key: Ed25519PrivateKey, dtd: [UInt8] = Array(GdpduGrammar.bundledDTD.utf8), generator: String,
                scratch: String, level: Int32 = 6) {
        self.pool = pool
        self.key = key
        self.dtd = dtd
        self.generator = generator
        self.scratch = scratch
        self.level = level
    }

    static let chunk = 256 * 1024

    /// Stores the checkpoint signed at export time elsewhere (the WORM store) before the manifest
    /// is signed; where it went is named in integrity.xml.
    public typealias CheckpointStore = @Sendable (_ checkpoint: AuditCheckpoint, _ object: [UInt8], _ signature: [UInt8]) async throws
        -> (storageKey: String, versionID: String)

    public func build(_ request: ExportRequest, progress: @escaping @Sendable (Progress) -> Void = { _ in },
                      checkpointStore: CheckpointStore? = nil, sink: @escaping ([UInt8]) throws -> Void) async throws -> BuiltPackage {
        if let problem = GdpduGrammar.difference(dtd) { throw ExportError.storage("the DTD to ship is not the DataSet grammar: \(problem)") }
        let directory = try Self.makeDirectory(in: scratch)
        defer { Self.remove(directory) }
        let snapshot = try await collect(request, directory: directory, progress: progress)
        let profile = request.profile ?? ExportProfile.forCountry(snapshot.country)
        let validity = (request.from, request.to)
        let tables = zip(PackageTables.all, snapshot.renderers).map { $0.gdpdu(maxLengths: $1.maxLengths, validity: validity) }
        let index = GdpduIndex(supplierName: snapshot.name, supplierLocation: snapshot.country == "AT" ? "Oesterreich" : "Deutschland",
                               supplierComment: profile.comment + "; Zeitraum \(Self.date(request.from)) bis \(Self.date(request.to)); Export \(request.exportID)",
                               mediaName: "Datenueberlassung \(Self.date(request.from)) bis \(Self.date(request.to))", tables: tables,
                               extensions: [.init(name: "Integritaetsnachweis (SHA-256, Ed25519)", url: IntegrityManifest.fileName)])
        let indexBytes = Array(index.xml.utf8)
        var members = [IntegrityManifest.Member(name: "index.xml", rows: nil, size: Int64(indexBytes.count), sha256: SHA256.hash(indexBytes)),
                       IntegrityManifest.Member(name: GdpduIndex.dtdFileName, rows: nil, size: Int64(dtd.count), sha256: SHA256.hash(dtd))]
        for (table, spooled) in zip(PackageTables.all, snapshot.spooled) {
            members.append(IntegrityManifest.Member(name: table.fileName, rows: snapshot.rows[table.name] ?? 0, size: spooled.size, sha256: spooled.sha256))
        }
        var checkpointObject: [UInt8]?
        var checkpointStored: (storageKey: String, versionID: String)?
        if let chain = snapshot.chain {
            let checkpoint = AuditCheckpoint(organizationID: request.organizationID, seq: chain.lastSeq, hash: chain.headHash,
                                             createdAt: request.createdAt, keyID: key.publicKey.keyID)
            let signed = try checkpoint.signedObject(with: key)
            checkpointObject = signed.object
            if let checkpointStore { checkpointStored = try await checkpointStore(checkpoint, signed.object, signed.signature) }
        }
        let manifest = IntegrityManifest(exportID: request.exportID, profile: profile.rawValue, createdAt: request.createdAt, generator: generator,
                                         organizationID: request.organizationID, country: snapshot.country, from: request.from, to: request.to,
                                         members: members, chain: snapshot.chain, checkpoint: checkpointObject.map { ($0, checkpointStored?.storageKey, checkpointStored?.versionID) },
                                         publicKey: key.publicKey)
        let manifestText = manifest.xml
        let signature = try IntegrityManifest.signature(of: manifestText, by: key)
        var writer = try TarGzipWriter(modified: request.createdAt.secondsSinceEpoch, level: level, sink: sink)
        _ = try writer.add(name: "index.xml", bytes: indexBytes)
        _ = try writer.add(name: GdpduIndex.dtdFileName, bytes: dtd)
        for (table, spooled) in zip(PackageTables.all, snapshot.spooled) { _ = try writer.add(name: table.fileName, spooled: spooled) }
        _ = try writer.add(name: IntegrityManifest.fileName, bytes: Array(manifestText.utf8))
        _ = try writer.add(name: IntegrityManifest.signatureFileName, bytes: signature)
        let whole = try writer.finish()
        let country = snapshot.country
        return BuiltPackage(exportID: request.exportID, organizationID: request.organizationID, country: country, profile: profile,
                            sha256: whole.sha256, size: whole.size, members: members, chain: snapshot.chain, checkpointObject: checkpointObject,
                            retainUntil: RetentionRule.legalRetainUntil(country: country, periodEnd: request.to))
    }

    /// What the snapshot gave: the organization, every table spooled, the chain segment.
    struct Snapshot {
        var name: String
        var country: String
        var renderers: [RowRenderer]
        var spooled: [SpooledMember]
        var rows: [String: Int64]
        var chain: IntegrityManifest.ChainSegment?
    }

    func collect(_ request: ExportRequest, directory: String, progress: @escaping @Sendable (Progress) -> Void) async throws -> Snapshot {
        let level = self.level
        return try await pool.withTransaction(.repeatableRead) { connection in
            _ = try await connection.execute("SET TRANSACTION READ ONLY")
            let org = try await connection.query("SELECT name, country FROM organizations WHERE id::text = \(request.organizationID)")
            guard let row = org.first else { throw ExportError.unknownOrganization(request.organizationID) }
            let name: String = try row.decode(at: 0), country: String = try row.decode(at: 1)
            let periodStart = Timestamp(year: request.from.components.year, month: request.from.components.month, day: request.from.components.day)!
            let end = request.to.adding(days: 1)
            let periodEnd = Timestamp(year: end.components.year, month: end.components.month, day: end.components.day)!
            let bounds = try await connection.query("""
                SELECT min(seq), max(seq) FROM audit_logs
                WHERE organization_id = \(request.organizationID)::uuid AND occurred_at >= \(periodStart) AND occurred_at < \(periodEnd)
                """).single()
            let firstSeq: Int64? = try bounds.decode(at: 0), lastSeq: Int64? = try bounds.decode(at: 1)
            var previousHash = AuditChain.genesis
            if let firstSeq, firstSeq > 1 {
                let before = try await connection.query(
                    "SELECT hash FROM audit_logs WHERE organization_id = \(request.organizationID)::uuid AND seq = \(firstSeq - 1)")
                guard let hashRow = before.first else {
                    throw ExportError.chainBroken("the entry before the period, seq \(firstSeq - 1), is missing")
                }
                previousHash = try hashRow.decode(PostgresBytes.self, at: 0).bytes
            }
            _ = try await connection.query("""
                SELECT set_config('immoflow.export_organization', \(request.organizationID), true),
                       set_config('immoflow.export_from', \(request.from.iso), true),
                       set_config('immoflow.export_to', \(request.to.iso), true),
                       set_config('immoflow.export_first_seq', \(String(firstSeq ?? 1)), true),
                       set_config('immoflow.export_last_seq', \(String(lastSeq ?? 0)), true)
                """)
            var totals: [Int64] = []
            for table in PackageTables.all {
                totals.append(try await connection.query(table.count).single().decode(Int64.self, at: 0))
            }
            let total = totals.reduce(0, +)
            var snapshot = Snapshot(name: name, country: country, renderers: [], spooled: [], rows: [:], chain: nil)
            var done: Int64 = 0, bytes: Int64 = 0
            var verifier = AuditChainVerifier(firstSeq: firstSeq ?? 1, previousHash: previousHash)
            let orgText = Array(request.organizationID.utf8)
            for table in PackageTables.all {
                let spool = try MemberSpool(path: directory + "/" + table.name + ".deflate", level: level)
                var renderer = RowRenderer(table)
                var buffer = renderer.header
                buffer.reserveCapacity(Self.chunk + 64 * 1024)
                var decoder = CopyBinaryDecoder()
                let isAudit = table.name == PackageTables.auditLogs.name
                var failure: Error?
                do {
                    try await connection.copyOut(table.copy, chunkSize: Self.chunk) { chunk in
                        try decoder.feed(chunk) { tuple in
                            guard failure == nil else { return }
                            do {
                                try renderer.render(fieldCount: tuple.count, into: &buffer) { tuple[$0] }
                            } catch {
                                failure = error
                                return
                            }
                            if isAudit { Self.verify(tuple, orgText, &verifier) }
                        }
                        if let failure { throw failure }
                        if buffer.count >= Self.chunk {
                            bytes += Int64(buffer.count)
                            try await spool.append(buffer)
                            buffer.removeAll(keepingCapacity: true)
                            progress(Progress(table: table.name, rows: done + renderer.rows, totalRows: total, bytes: bytes))
                        }
                    }
                    try decoder.finish()
                    bytes += Int64(buffer.count)
                    try await spool.append(buffer)
                } catch {
                    _ = try? await spool.finish()
                    throw error
                }
                snapshot.spooled.append(try await spool.finish())
                done += renderer.rows
                snapshot.rows[table.name] = renderer.rows
                snapshot.renderers.append(renderer)
                progress(Progress(table: table.name, rows: done, totalRows: total, bytes: bytes))
            }
            if let firstSeq, let lastSeq {
                if let problem = verifier.firstProblem { throw ExportError.chainBroken(problem.description) }
                guard verifier.entries == lastSeq - firstSeq + 1 else {
                    throw ExportError.chainBroken("\(verifier.entries) entries for seq \(firstSeq) to \(lastSeq)")
                }
                snapshot.chain = IntegrityManifest.ChainSegment(firstSeq: firstSeq, lastSeq: lastSeq, previousHash: previousHash,
                                                                headHash: verifier.head.hash)
            }
            return snapshot
        }
    }

    /// Feeds one audit_logs tuple (organization, seq, occurred_at, actor, action, entity,
    /// entity_id, payload, prev_hash, hash) to the chain verifier.
    static func verify(_ t: CopyBinaryDecoder.Tuple, _ org: [UInt8], _ verifier: inout AuditChainVerifier) {
        guard let seqBytes = t[1], seqBytes.count == 8, let timeBytes = t[2], let time = Timestamp(postgresBinary: timeBytes),
              let actor = t[3], let action = t[4], let entity = t[5], let entityID = t[6], let payload = t[7], let prev = t[8], let hash = t[9] else {
            verifier.record(ChainProblem(seq: 0, kind: .hashMismatch, expected: "a complete row", found: "a row with NULLs"))
            return
        }
        let seq = Int64(bigEndian: seqBytes.loadUnaligned(as: Int64.self))
        org.withUnsafeBytes { orgText in
            verifier.consume(AuditRowBytes(organization: orgText, seq: seq, occurredAt: time, actor: actor, action: action, entity: entity,
                                           entityID: entityID, payload: payload, prevHash: prev, hash: hash))
        }
    }

    static func date(_ d: CalendarDate) -> String {
        var out: [UInt8] = []
        GdpduField.date(d, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func makeDirectory(in parent: String) throws -> String {
        var template = Array((parent + "/immoflow-export-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ExportError.storage("cannot make a scratch directory in \(parent): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    static func remove(_ directory: String) {
        for table in PackageTables.all { unlink(directory + "/" + table.name + ".deflate") }
        rmdir(directory)
    }
}
