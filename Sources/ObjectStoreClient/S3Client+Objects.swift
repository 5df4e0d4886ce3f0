import Chronology
import Crypto
import Glibc
import HTTP1
import ObjectStore
import XML

extension S3Client {
    /// The parts of a `size`-byte upload: 8 MiB first, each next one twice the last up to
    /// `partSize` — sending starts soon, and every part is hashed in less time than the one
    /// before it takes to send (no wait between parts). S3 allows 5 MiB to 5 GiB per part (the
    /// last may be smaller) and 10,000 parts.
    static func partRanges(size: Int64, partSize: Int64) -> [(offset: Int64, length: Int64)] {
        var ranges: [(offset: Int64, length: Int64)] = []
        var offset: Int64 = 0
        var next = min(8 << 20, partSize)
        while offset < size {
            let length = min(next, size - offset)
            ranges.append((offset, length))
            offset += length
            next = min(next * 2, partSize)
        }
        return ranges
    }

    func bucketPath() -> String { configuration.endpoint.path(bucket: configuration.bucket, key: "") }
    func objectPath(_ name: String) -> String { keyPath(fullKey(name)) }
    /// The path of a key as stored (the prefix already in it).
    private func keyPath(_ key: String) -> String { configuration.endpoint.path(bucket: configuration.bucket, key: key) }

    func document(_ answer: Answer) throws(ObjectStoreError) -> XMLElement {
        switch XMLReader.parse(answer.body) {
        case .success(let element): return element
        case .failure(let error): throw .document(error)
        }
    }

    func mapDocument<T>(_ read: () throws(XMLError) -> T) throws(ObjectStoreError) -> T {
        do { return try read() } catch { throw .document(error) }
    }

    // MARK: the bucket

    /// Versioning and Object Lock of the bucket (GetBucketVersioning, GetObjectLockConfiguration).
    public func bucketLockState() throws(ObjectStoreError) -> BucketLockState {
        let versioningDocument = try document(send(S3Request(method: "GET", path: bucketPath(), query: [("versioning", "")])))
        let versioning = try mapDocument { () throws(XMLError) in try BucketLockState.versioning(document: versioningDocument) }
        do {
            let lockDocument = try document(send(S3Request(method: "GET", path: bucketPath(), query: [("object-lock", "")])))
            let lock = try mapDocument { () throws(XMLError) in try BucketLockState.lockConfiguration(document: lockDocument) }
            return BucketLockState(versioning: versioning, objectLockEnabled: lock.enabled, defaultRetention: lock.defaultRetention)
        } catch {
            // No lock configuration at all: a bucket created without Object Lock.
            if case .s3(let s3) = error, s3.status == 404 { return BucketLockState(versioning: versioning, objectLockEnabled: false) }
            throw error
        }
    }

    /// Refuses a bucket that is no WORM store (checked before anything is stored).
    public func requireWORMBucket() throws(ObjectStoreError) {
        let state = try bucketLockState()
        if let problem = state.problem { throw .refused("bucket \(configuration.bucket): \(problem)") }
    }

    // MARK: writing

    /// Uploads the file at `path` as `name`, locked with `retention` (COMPLIANCE for WORM) and,
    /// when asked, a legal hold. Every PUT carries `Content-MD5`, `x-amz-checksum-sha256` and the
    /// body's real SHA-256 in `x-amz-content-sha256`; files above the configuration's `partSize` go up in parts,
    /// each checksummed, the upload aborted when a part fails. Never a whole file in memory.
    public func putObject(name: String, path: String, contentType: String = "application/octet-stream",
                          retention: ObjectRetention?, legalHold: Bool = false) throws(ObjectStoreError) -> StoredObject {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .refused("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw .refused("\(path) is not a regular file") }
        let size = Int64(info.st_size)
        let whole = FileRange(fd: fd, offset: 0, length: size)
        if size <= configuration.partSize {
            let (md5, sha) = try whole.digests()
            let request = S3Operation.putObject(path: objectPath(name), contentType: contentType, md5: md5, sha256: sha,
                                                retention: retention, legalHold: legalHold)
            let answer = try send(request, body: whole.body)
            return try stored(name: name, answer: answer, sha256: Hex.encode(sha), size: size, retention: retention)
        }
        return try putMultipart(name: name, fd: fd, size: size, contentType: contentType, retention: retention, legalHold: legalHold)
    }

    /// Uploads `bytes` as `name` with one PUT (small documents: checkpoints), locked like
    /// `putObject(name:path:…)` and with the same digests.
    public func putObject(name: String, bytes: [UInt8], contentType: String, retention: ObjectRetention?) throws(ObjectStoreError) -> StoredObject {
        let sha = SHA256.hash(bytes)
        let request = S3Operation.putObject(path: objectPath(name), contentType: contentType, md5: MessageDigest.hash(.md5, bytes), sha256: sha,
                                            retention: retention, legalHold: false)
        let answer = try send(request, body: .bytes(bytes))
        return try stored(name: name, answer: answer, sha256: Hex.encode(sha), size: Int64(bytes.count), retention: retention)
    }

    /// The version an upload made; `etag` from the completion document of a multipart upload
    /// (a single PUT's is a header).
    private func stored(name: String, answer: Answer, etag: String? = nil, sha256: String, size: Int64,
                        retention: ObjectRetention?) throws(ObjectStoreError) -> StoredObject {
        guard let version = answer.head.headers["x-amz-version-id"], !version.isEmpty else {
            throw .refused("the store gave no version ID: the bucket is not versioned, so nothing is locked")
        }
        return StoredObject(key: fullKey(name), versionID: version, etag: etag ?? answer.head.headers["ETag"] ?? "", sha256: sha256, size: size,
                            retention: retention)
    }

    private func putMultipart(name: String, fd: Int32, size: Int64, contentType: String, retention: ObjectRetention?,
                              legalHold: Bool) throws(ObjectStoreError) -> StoredObject {
        // The whole file's SHA-256 for the record (S3's own checksum of a multipart object is a
        // checksum of the parts' checksums), computed with the parts' digests, a part ahead.
        let whole = PartDigests.Whole()
        let ranges = Self.partRanges(size: size, partSize: configuration.partSize).map { FileRange(fd: fd, offset: $0.offset, length: $0.length) }
        let created = try send(S3Operation.createMultipartUpload(path: objectPath(name), contentType: contentType, retention: retention,
                                                                 legalHold: legalHold))
        let createdDocument = try document(created)
        let uploadID = try mapDocument { () throws(XMLError) in try MultipartUpload.uploadID(document: createdDocument) }
        var pending: PartDigests?
        do throws(ObjectStoreError) {
            var parts: [MultipartUpload.Part] = []
            pending = PartDigests(ranges[0], whole: whole)
            for (index, range) in ranges.enumerated() {
                // Taken before waiting: a job is waited for once (a second wait would never end).
                let job = pending!
                pending = nil
                let sha = try job.wait()
                pending = index + 1 < ranges.count ? PartDigests(ranges[index + 1], whole: whole) : nil
                let number = index + 1
                let answer = try send(S3Operation.uploadPart(path: objectPath(name), number: number, uploadID: uploadID, sha256: sha),
                                      body: range.body)
                parts.append(MultipartUpload.Part(number: number, etag: answer.head.headers["ETag"] ?? "", checksumSHA256: Base64.encode(sha)))
            }
            let completion = S3Operation.completeMultipartUpload(path: objectPath(name), uploadID: uploadID, parts: parts)
            let completed = try send(completion.request, body: .bytes(completion.body))
            let etag: String
            switch MultipartUpload.completion(status: completed.head.status, body: completed.body) {
            case .success(let tag): etag = tag
            case .failure(let error): throw ObjectStoreError.s3(error)
            }
            return try stored(name: name, answer: completed, etag: etag, sha256: Hex.encode(whole.finalize()), size: size, retention: retention)
        } catch {
            // The part ahead may still be hashing: let it finish before the file is closed.
            _ = try? pending?.wait()
            // Leave no parts behind (they would be billed, and never locked).
            _ = try? send(S3Operation.abortMultipartUpload(path: objectPath(name), uploadID: uploadID))
            throw error
        }
    }

    // MARK: reading a version

    /// HeadObject of `versionID`: size, ETag, SHA-256 (when kept), lock and legal hold.
    public func headObject(name: String, versionID: String) throws(ObjectStoreError) -> ObjectInfo {
        try headObject(storedKey: fullKey(name), versionID: versionID)
    }

    /// HeadObject of a key as stored (`export_packages.storage_key`: the prefix in it).
    public func headObject(storedKey: String, versionID: String) throws(ObjectStoreError) -> ObjectInfo {
        let answer = try send(S3Request(method: "HEAD", path: keyPath(storedKey), query: [("versionId", versionID)],
                                        headers: [("x-amz-checksum-mode", "ENABLED")]))
        return Self.info(answer.head.headers)
    }

    /// What HEAD and GET answer of a version in their fields: version, size, ETag, checksum, lock, hold.
    static func info(_ h: HTTPHeaders) -> ObjectInfo {
        var retention: ObjectRetention?
        if let mode = h["x-amz-object-lock-mode"].flatMap(ObjectLockMode.init(rawValue:)),
           let until = h["x-amz-object-lock-retain-until-date"].flatMap({ Timestamp(rfc3339: $0) }) {
            retention = ObjectRetention(mode: mode, retainUntil: until)
        }
        let size = h["Content-Length"].flatMap { DecimalParsing.decimal(Array($0.utf8)) } ?? 0
        return ObjectInfo(versionID: h["x-amz-version-id"], size: size, etag: h["ETag"], checksumSHA256: h["x-amz-checksum-sha256"],
                          retention: retention, legalHold: h["x-amz-object-lock-legal-hold"].flatMap(LegalHold.init(rawValue:)))
    }

    /// GetObjectRetention of `versionID`.
    public func retention(name: String, versionID: String) throws(ObjectStoreError) -> ObjectRetention {
        let d = try document(send(S3Request(method: "GET", path: objectPath(name), query: [("retention", ""), ("versionId", versionID)])))
        return try mapDocument { () throws(XMLError) in try ObjectRetention(document: d) }
    }

    /// GetObjectLegalHold of `versionID` (a version never held answers 404 on some servers: OFF).
    public func legalHold(name: String, versionID: String) throws(ObjectStoreError) -> LegalHold {
        do {
            let d = try document(send(S3Request(method: "GET", path: objectPath(name), query: [("legal-hold", ""), ("versionId", versionID)])))
            return try mapDocument { () throws(XMLError) in try LegalHold(document: d) }
        } catch {
            if case .s3(let s3) = error, s3.status == 404, !s3.isMissingObject { return .off }
            throw error
        }
    }

    /// Streams the bytes of `versionID` to `sink`; returns their SHA-256 (hex) and count, and what
    /// the answer's fields say of the version (its lock, hold and checksum: no HEAD needed).
    public func getObject(name: String, versionID: String, sink: (UnsafeRawBufferPointer) throws(ObjectStoreError) -> Void = { _ in })
        throws(ObjectStoreError) -> (sha256: String, size: Int64, info: ObjectInfo) {
        try getObject(storedKey: fullKey(name), versionID: versionID, sink: sink)
    }

    /// GetObject of a key as stored (the prefix already in it), streamed to `sink`.
    public func getObject(storedKey: String, versionID: String, sink: (UnsafeRawBufferPointer) throws(ObjectStoreError) -> Void = { _ in })
        throws(ObjectStoreError) -> (sha256: String, size: Int64, info: ObjectInfo) {
        var digest = MessageDigest(.sha256)
        var size: Int64 = 0
        let answer = try send(S3Request(method: "GET", path: keyPath(storedKey), query: [("versionId", versionID)],
                                        headers: [("x-amz-checksum-mode", "ENABLED")])) { bytes throws(ObjectStoreError) in
            digest.update(bytes)
            size += Int64(bytes.count)
            try sink(bytes)
        }
        return (Hex.encode(digest.finalize()), size, Self.info(answer.head.headers))
    }

    // MARK: changing a lock

    /// Moves `versionID`'s retain-until to `retention` — only later: a shorter date (or another
    /// mode) is refused here, before anything is sent.
    public func extendRetention(name: String, versionID: String, to retention: ObjectRetention) throws(ObjectStoreError) {
        let current = try self.retention(name: name, versionID: versionID)
        guard retention.mode == current.mode else {
            throw .refused("the lock's mode stays \(current.mode.rawValue): \(retention.mode.rawValue) is not an extension")
        }
        guard retention.retainUntil >= current.retainUntil else {
            throw .refused("retention is only ever extended: \(retention.retainUntilText) is before the current \(current.retainUntilText)")
        }
        let put = S3Operation.putRetention(path: objectPath(name), versionID: versionID, retention)
        _ = try send(put.request, body: .bytes(put.body))
    }

    /// Sets or clears `versionID`'s legal hold.
    public func setLegalHold(name: String, versionID: String, _ hold: LegalHold) throws(ObjectStoreError) {
        let put = S3Operation.putLegalHold(path: objectPath(name), versionID: versionID, hold)
        _ = try send(put.request, body: .bytes(put.body))
    }
}
