import Crypto

/// The requests that write, built from values: every one carries an integrity header AWS
/// accepts on Object Lock uploads — `Content-MD5` (base64 MD5), or for parts
/// `x-amz-sdk-checksum-algorithm` — and the body's real SHA-256 (hex) as its payload hash;
/// object data (PutObject, UploadPart) also `x-amz-checksum-sha256` (base64 SHA-256), which S3
/// keeps with the object. Documents (retention, legal hold, the multipart completion) carry
/// no `x-amz-checksum-sha256`: on CompleteMultipartUpload it would name the object's checksum,
/// not the body's (SeaweedFS refuses it as BadDigest). SeaweedFS checks a digest
/// when one is sent but requires none, so only `S3OperationTests` holds us to sending them
/// (docs/s3-object-lock.md §2).
public enum S3Operation {
    /// The lock headers of an upload.
    public static func lockHeaders(retention: ObjectRetention?, legalHold: Bool) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let retention {
            headers += [("x-amz-object-lock-mode", retention.mode.rawValue), ("x-amz-object-lock-retain-until-date", retention.retainUntilText)]
        }
        if legalHold { headers.append(("x-amz-object-lock-legal-hold", LegalHold.on.rawValue)) }
        return headers
    }

    /// PutObject of a body whose digests are `md5` and `sha256`.
    public static func putObject(path: String, contentType: String, md5: [UInt8], sha256: [UInt8], retention: ObjectRetention?,
                                 legalHold: Bool) -> S3Request {
        S3Request(method: "PUT", path: path,
                  headers: [("Content-Type", contentType)] + digestHeaders(md5: md5, sha256: sha256) + lockHeaders(retention: retention, legalHold: legalHold),
                  payloadHash: Hex.encode(sha256))
    }

    /// CreateMultipartUpload: the lock is given here and applies to the assembled object.
    public static func createMultipartUpload(path: String, contentType: String, retention: ObjectRetention?, legalHold: Bool) -> S3Request {
        S3Request(method: "POST", path: path, query: [("uploads", "")],
                  headers: [("Content-Type", contentType), ("x-amz-checksum-algorithm", "SHA256")] + lockHeaders(retention: retention, legalHold: legalHold))
    }

    /// UploadPart `number` of `uploadID`: `x-amz-checksum-sha256` with `x-amz-sdk-checksum-algorithm`
    /// — what AWS accepts instead of `Content-MD5` on Object Lock uploads ("The Content-MD5 or
    /// x-amz-sdk-checksum-algorithm header is required") — so a part is hashed once less (MD5 was
    /// the slowest third of a part's hashing: tools/bench/worm-upload.sh, docs/decisions.md).
    public static func uploadPart(path: String, number: Int, uploadID: String, sha256: [UInt8]) -> S3Request {
        S3Request(method: "PUT", path: path, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                  headers: [("x-amz-sdk-checksum-algorithm", "SHA256"), ("x-amz-checksum-sha256", Base64.encode(sha256))],
                  payloadHash: Hex.encode(sha256))
    }

    /// CompleteMultipartUpload with `parts`, and its body.
    public static func completeMultipartUpload(path: String, uploadID: String, parts: [MultipartUpload.Part]) -> (request: S3Request, body: [UInt8]) {
        let body = MultipartUpload.completionBody(parts)
        return (documentRequest("POST", path: path, query: [("uploadId", uploadID)], body: body), body)
    }

    /// AbortMultipartUpload.
    public static func abortMultipartUpload(path: String, uploadID: String) -> S3Request {
        S3Request(method: "DELETE", path: path, query: [("uploadId", uploadID)])
    }

    /// PutObjectRetention of `versionID`, and its body.
    public static func putRetention(path: String, versionID: String, _ retention: ObjectRetention) -> (request: S3Request, body: [UInt8]) {
        (documentRequest("PUT", path: path, query: [("retention", ""), ("versionId", versionID)], body: retention.xmlBody), retention.xmlBody)
    }

    /// PutObjectLegalHold of `versionID`, and its body.
    public static func putLegalHold(path: String, versionID: String, _ hold: LegalHold) -> (request: S3Request, body: [UInt8]) {
        (documentRequest("PUT", path: path, query: [("legal-hold", ""), ("versionId", versionID)], body: hold.xmlBody), hold.xmlBody)
    }

    /// PutBucketVersioning of the bucket at `path`.
    public static func putBucketVersioning(path: String, _ status: BucketLockState.Versioning) -> (request: S3Request, body: [UInt8]) {
        let body = BucketLockState.versioningBody(status)
        return (documentRequest("PUT", path: path, query: [("versioning", "")], body: body), body)
    }

    /// PutObjectLockConfiguration of the bucket at `path`: Object Lock on, with `defaultRetention`.
    public static func putObjectLockConfiguration(path: String, defaultRetention: BucketLockState.DefaultRetention?)
        -> (request: S3Request, body: [UInt8]) {
        let body = BucketLockState.lockConfigurationBody(defaultRetention: defaultRetention)
        return (documentRequest("PUT", path: path, query: [("object-lock", "")], body: body), body)
    }

    /// DeleteObjects of `entries` in the bucket at `path` (AWS requires `Content-MD5` on it).
    public static func deleteObjects(path: String, _ entries: [MultiDelete.Entry]) -> (request: S3Request, body: [UInt8]) {
        let body = MultiDelete.body(entries)
        return (documentRequest("POST", path: path, query: [("delete", "")], body: body), body)
    }

    /// CopyObject of version `versionID` of `sourceKey` in `sourceBucket` to `path`, locked like an
    /// upload (the lock headers apply to the copy; the source's lock is not copied), S3 asked to
    /// keep a SHA-256 of the copy. `x-amz-copy-source` is `bucket/key?versionId=…`, the key
    /// URI-encoded (AWS S3 API Reference, CopyObject).
    public static func copyObject(path: String, sourceBucket: String, sourceKey: String, versionID: String,
                                  retention: ObjectRetention?, legalHold: Bool) -> S3Request {
        let source = SigV4.uriEncode("\(sourceBucket)/\(sourceKey)", keepSlash: true) + "?versionId=" + SigV4.uriEncode(versionID, keepSlash: false)
        return S3Request(method: "PUT", path: path,
                         headers: [("x-amz-copy-source", source), ("x-amz-checksum-algorithm", "SHA256")]
                            + lockHeaders(retention: retention, legalHold: legalHold))
    }

    static func digestHeaders(md5: [UInt8], sha256: [UInt8]) -> [(name: String, value: String)] {
        [("Content-MD5", Base64.encode(md5)), ("x-amz-checksum-sha256", Base64.encode(sha256))]
    }

    static func documentRequest(_ method: String, path: String, query: [(name: String, value: String)], body: [UInt8]) -> S3Request {
        S3Request(method: method, path: path, query: query, headers: [("Content-MD5", Base64.encode(MessageDigest.hash(.md5, body)))],
                  payloadHash: Hex.encode(SHA256.hash(body)))
    }
}
