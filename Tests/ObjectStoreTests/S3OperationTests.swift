import Chronology
import Crypto
import ObjectStore
import Testing

/// Every writing request carries Content-MD5 of its body and the body's real SHA-256 as payload
/// hash, object data also x-amz-checksum-sha256: SeaweedFS (and MinIO) accept uploads without them, AWS
/// refuses Object Lock uploads without Content-MD5 — so only this test holds us to it.
@Suite struct S3OperationTests {
    static let body = Array("GoBD test payload\n".utf8)
    static let md5 = MessageDigest.hash(.md5, body)
    static let sha = SHA256.hash(body)
    static let lock = ObjectRetention(mode: .compliance, retainUntil: Timestamp(year: 2036, month: 1, day: 1)!)

    static func header(_ request: S3Request, _ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Object data: Content-MD5, x-amz-checksum-sha256 and the payload hash of `body`; documents
    /// (`data: false`): Content-MD5 and the payload hash, no x-amz-checksum-sha256 (on a
    /// completion it would name the object's checksum).
    static func expectDigests(_ request: S3Request, of body: [UInt8], data: Bool = true) {
        #expect(header(request, "Content-MD5") == Base64.encode(MessageDigest.hash(.md5, body)), "\(request.method) \(request.query)")
        #expect(header(request, "x-amz-checksum-sha256") == (data ? Base64.encode(SHA256.hash(body)) : nil), "\(request.method) \(request.query)")
        #expect(request.payloadHash == Hex.encode(SHA256.hash(body)) && request.payloadHash != SigV4.emptyPayloadHash)
    }

    @Test("PutObject with a lock: the vector's digests, COMPLIANCE and the whole-second date, the content type")
    func putObject() {
        let request = S3Operation.putObject(path: "/b/k", contentType: "application/gzip", md5: Self.md5, sha256: Self.sha, retention: Self.lock, legalHold: false)
        Self.expectDigests(request, of: Self.body)
        #expect(Self.header(request, "Content-MD5") == "CLKs7jnPRFwEoxl/zG5P7A==")
        #expect(Self.header(request, "x-amz-object-lock-mode") == "COMPLIANCE")
        #expect(Self.header(request, "x-amz-object-lock-retain-until-date") == "2036-01-01T00:00:00Z")
        #expect(Self.header(request, "x-amz-object-lock-legal-hold") == nil && Self.header(request, "Content-Type") == "application/gzip")
        let held = S3Operation.putObject(path: "/b/k", contentType: "x", md5: Self.md5, sha256: Self.sha, retention: nil, legalHold: true)
        #expect(Self.header(held, "x-amz-object-lock-legal-hold") == "ON" && Self.header(held, "x-amz-object-lock-mode") == nil)
    }

    @Test("multipart: the lock on the creation, each part's SHA-256 with its algorithm header, the completion body's digests")
    func multipart() {
        let create = S3Operation.createMultipartUpload(path: "/b/k", contentType: "x", retention: Self.lock, legalHold: false)
        #expect(create.method == "POST" && create.query.map(\.name) == ["uploads"])
        #expect(Self.header(create, "x-amz-object-lock-mode") == "COMPLIANCE" && Self.header(create, "x-amz-checksum-algorithm") == "SHA256")
        let part = S3Operation.uploadPart(path: "/b/k", number: 3, uploadID: "u", sha256: Self.sha)
        // A part: the SHA-256 checksum with the algorithm header AWS takes instead of Content-MD5.
        #expect(Self.header(part, "x-amz-checksum-sha256") == Base64.encode(Self.sha) && Self.header(part, "x-amz-sdk-checksum-algorithm") == "SHA256")
        #expect(Self.header(part, "Content-MD5") == nil && part.payloadHash == Hex.encode(Self.sha))
        #expect(part.query.map(\.value) == ["3", "u"])
        let (complete, body) = S3Operation.completeMultipartUpload(path: "/b/k", uploadID: "u", parts: [.init(number: 1, etag: "\"e\"", checksumSHA256: "c")])
        Self.expectDigests(complete, of: body, data: false)
        #expect(S3Operation.abortMultipartUpload(path: "/b/k", uploadID: "u").method == "DELETE")
    }

    @Test("retention and legal-hold changes carry their bodies' digests and name the version")
    func lockChanges() {
        let (retention, rBody) = S3Operation.putRetention(path: "/b/k", versionID: "v1", Self.lock)
        Self.expectDigests(retention, of: rBody, data: false)
        #expect(retention.query.map(\.name) == ["retention", "versionId"] && retention.query.last?.value == "v1")
        let (hold, hBody) = S3Operation.putLegalHold(path: "/b/k", versionID: "v1", .on)
        Self.expectDigests(hold, of: hBody, data: false)
        #expect(String(decoding: hBody, as: UTF8.self).contains("<Status>ON</Status>"))
    }

    @Test("bucket changes (versioning, the lock configuration) and multi-delete carry their bodies' digests")
    func bucketChanges() {
        let (versioning, vBody) = S3Operation.putBucketVersioning(path: "/b", .suspended)
        Self.expectDigests(versioning, of: vBody, data: false)
        #expect(versioning.query.map(\.name) == ["versioning"] && versioning.method == "PUT")
        #expect(String(decoding: vBody, as: UTF8.self).hasSuffix(#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>"#))
        let (lock, lBody) = S3Operation.putObjectLockConfiguration(path: "/b", defaultRetention: .init(mode: .compliance, years: 7))
        Self.expectDigests(lock, of: lBody, data: false)
        #expect(lock.query.map(\.name) == ["object-lock"])
        #expect(String(decoding: lBody, as: UTF8.self).contains(
            "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>7</Years></DefaultRetention></Rule>"))
        let (_, bare) = S3Operation.putObjectLockConfiguration(path: "/b", defaultRetention: nil)
        #expect(!String(decoding: bare, as: UTF8.self).contains("<Rule>"))
        let (delete, dBody) = S3Operation.deleteObjects(path: "/b", [.init(key: "a&b <1>.csv", versionID: "v1"), .init(key: "c")])
        Self.expectDigests(delete, of: dBody, data: false)
        #expect(delete.method == "POST" && delete.query.map(\.name) == ["delete"])
        #expect(String(decoding: dBody, as: UTF8.self).contains(
            "<Quiet>false</Quiet><Object><Key>a&amp;b &lt;1&gt;.csv</Key><VersionId>v1</VersionId></Object><Object><Key>c</Key></Object></Delete>"))
    }

    @Test("CopyObject: the source bucket, key and version encoded, the copy's own lock, no source lock copied")
    func copyObject() {
        let request = S3Operation.copyObject(path: "/b/copy", sourceBucket: "b", sourceKey: "org 1/2024/ä+.tar.gz", versionID: "3f/=a",
                                             retention: Self.lock, legalHold: true)
        #expect(request.method == "PUT" && request.payloadHash == SigV4.emptyPayloadHash)
        #expect(Self.header(request, "x-amz-copy-source") == "b/org%201/2024/%C3%A4%2B.tar.gz?versionId=3f%2F%3Da")
        #expect(Self.header(request, "x-amz-object-lock-mode") == "COMPLIANCE" && Self.header(request, "x-amz-object-lock-legal-hold") == "ON")
        #expect(Self.header(request, "x-amz-checksum-algorithm") == "SHA256")
    }
}
