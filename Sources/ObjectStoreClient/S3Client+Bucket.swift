import Crypto
import ObjectStore
import XML

extension S3Client {
    /// Creates the configured bucket, with Object Lock (and so versioning) when asked: set-up
    /// for operators' first run and for tests. An existing bucket of ours is not an error.
    public func createBucket(objectLock: Bool) throws(ObjectStoreError) {
        var headers: [(name: String, value: String)] = []
        if objectLock { headers.append(("x-amz-bucket-object-lock-enabled", "true")) }
        do {
            _ = try send(S3Request(method: "PUT", path: bucketPath(), headers: headers))
        } catch {
            if case .s3(let s3) = error, s3.code == "BucketAlreadyOwnedByYou" { return }
            throw error
        }
    }

    /// Deletes `name`: without a version a delete marker is added (every locked version stays
    /// readable by its ID) and its ID returned; with one, that version goes — which Object Lock
    /// refuses while it is locked or held, bypass or not.
    @discardableResult
    public func deleteObject(name: String, versionID: String? = nil, bypassGovernance: Bool = false) throws(ObjectStoreError) -> String? {
        var headers: [(name: String, value: String)] = []
        if bypassGovernance { headers.append(("x-amz-bypass-governance-retention", "true")) }
        let answer = try send(S3Request(method: "DELETE", path: configuration.endpoint.path(bucket: configuration.bucket, key: fullKey(name)),
                                        query: versionID.map { [("versionId", $0)] } ?? [], headers: headers))
        return answer.head.headers["x-amz-version-id"]
    }

    /// Sets the bucket's versioning: a bucket with Object Lock refuses suspension (409).
    public func setVersioning(_ status: BucketLockState.Versioning) throws(ObjectStoreError) {
        let (request, body) = S3Operation.putBucketVersioning(path: bucketPath(), status)
        _ = try send(request, body: .bytes(body))
    }

    /// Sets the bucket's Object Lock configuration with `defaultRetention` (new versions PUT
    /// without a lock of their own get it; existing versions keep theirs).
    public func setDefaultRetention(_ defaultRetention: BucketLockState.DefaultRetention?) throws(ObjectStoreError) {
        let (request, body) = S3Operation.putObjectLockConfiguration(path: bucketPath(), defaultRetention: defaultRetention)
        _ = try send(request, body: .bytes(body))
    }

    /// DeleteObjects: each entry answered on its own (a locked version is refused while the
    /// others go). Entries name keys as stored (the prefix in them).
    public func deleteObjects(_ entries: [MultiDelete.Entry]) throws(ObjectStoreError) -> [MultiDelete.Outcome] {
        guard !entries.isEmpty, entries.count <= MultiDelete.maximumEntries else {
            throw .refused("a multi-delete takes 1 to \(MultiDelete.maximumEntries) entries, not \(entries.count)")
        }
        let (request, body) = S3Operation.deleteObjects(path: bucketPath(), entries)
        let answer = try document(send(request, body: .bytes(body)))
        return try mapDocument { () throws(XMLError) in try MultiDelete.outcomes(document: answer) }
    }

    /// CopyObject of version `versionID` of `source` (a name, the prefix added) to `name`, locked
    /// with `retention`; returns the copy's version ID. A copy can fail after its 200 (S3 then
    /// sends an `<Error>` as the body), so the body is read. The copy's lock is read back and,
    /// where the store dropped the lock headers (SeaweedFS 4.48 answers 200 and leaves the copy
    /// unlocked: docs/decisions.md), set with PutObjectRetention / PutObjectLegalHold and read
    /// back again — a copy asked to be locked is locked, or this throws.
    public func copyObject(from source: String, versionID: String, to name: String, retention: ObjectRetention?,
                           legalHold: Bool = false) throws(ObjectStoreError) -> String {
        let request = S3Operation.copyObject(path: objectPath(name), sourceBucket: configuration.bucket, sourceKey: fullKey(source),
                                             versionID: versionID, retention: retention, legalHold: legalHold)
        let answer = try send(request)
        let result = try document(answer)
        if result.name == "Error" { throw .s3(S3Error(status: answer.head.status, body: answer.body)) }
        guard result.name == "CopyObjectResult" else { throw .document(.unexpected("<\(result.name)> instead of <CopyObjectResult>")) }
        guard let version = answer.head.headers["x-amz-version-id"], !version.isEmpty else {
            throw .refused("the store gave no version ID for the copy: the bucket is not versioned, so nothing is locked")
        }
        try lockCopy(name: name, versionID: version, retention: retention, legalHold: legalHold)
        return version
    }

    private func lockCopy(name: String, versionID: String, retention: ObjectRetention?, legalHold: Bool) throws(ObjectStoreError) {
        var info = try headObject(name: name, versionID: versionID)
        if let retention, info.retention != retention {
            // Unlocked, or locked shorter in the same mode (a bucket default): set, an extension.
            if let got = info.retention, got.mode != retention.mode || got.retainUntil > retention.retainUntil {
                throw .refused("the copy \(fullKey(name)) (version \(versionID)) got the lock \(got.mode.rawValue) until \(got.retainUntilText), not the one asked for")
            }
            let put = S3Operation.putRetention(path: objectPath(name), versionID: versionID, retention)
            _ = try send(put.request, body: .bytes(put.body))
        }
        if legalHold, info.legalHold != .on { try setLegalHold(name: name, versionID: versionID, .on) }
        info = try headObject(name: name, versionID: versionID)
        guard info.retention == retention || retention == nil, !legalHold || info.legalHold == .on else {
            throw .refused("the store left the copy \(fullKey(name)) (version \(versionID)) without the lock asked for")
        }
    }

    /// Every version and delete marker under `prefix` (a name prefix: the configured prefix is
    /// added), page by page, keys as stored.
    public func listVersions(prefix: String) throws(ObjectStoreError) -> [VersionListing.Version] {
        var all: [VersionListing.Version] = []
        var marker: (keyMarker: String, versionIDMarker: String)?
        repeat {
            var query: [(name: String, value: String)] = [("versions", ""), ("prefix", fullKey(prefix)), ("max-keys", "1000")]
            if let marker {
                query.append(("key-marker", marker.keyMarker))
                if !marker.versionIDMarker.isEmpty { query.append(("version-id-marker", marker.versionIDMarker)) }
            }
            let answer = try document(send(S3Request(method: "GET", path: bucketPath(), query: query)))
            let page = try mapDocument { () throws(XMLError) in try VersionListing(document: answer) }
            all += page.versions
            marker = page.next
        } while marker != nil && all.count < 10_000_000
        return all
    }
}
