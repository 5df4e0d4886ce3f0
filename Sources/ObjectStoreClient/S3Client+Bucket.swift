import Crypto
import ObjectStore

extension S3Client {
    /// Creates the configured bucket, with Object Lock (and so versioning) when asked: set-up
    /// for operators' first run and for tests. An existing bucket of ours is not an error.
    public func createBucket(objectLock: Bool) throws(ObjectStoreError) {
        var headers: [(name: String, value: String)] = []
        if objectLock { headers.append(("x-amz-bucket-object-lock-enabled", "true")) }
        do {
            _ = try send(S3Request(method: "PUT", path: configuration.endpoint.path(bucket: configuration.bucket, key: ""), headers: headers))
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
}
