import Chronology
import ComplianceTesting
import Crypto
import Foundation
import ObjectStore
@testable import ObjectStoreClient
import Testing

/// The WORM checklist of docs/s3-object-lock.md §5 against a real SeaweedFS (started by the
/// harness; a test fails when it cannot start).
@Suite(.serialized) struct S3ClientLiveTests {
    static func expectS3(_ code: String, status: Int, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(status) \(code), got success")
        } catch {
            guard case ObjectStoreError.s3(let s3) = error else {
                Issue.record("expected \(status) \(code), got \(error)")
                return
            }
            #expect(s3.status == status && s3.code == code, "got \(s3)")
        }
    }

    @Test("a COMPLIANCE version: its VersionId, the exact lock on HEAD and ?retention, its bytes by versionId")
    func putAndRead() throws {
        let client = try S3Fixture.bucket("put")
        try client.requireWORMBucket()
        let path = try S3Fixture.file(size: 100_000)
        defer { unlink(path) }
        let lock = S3Fixture.retention()
        let stored = try client.putObject(name: "org-7f3c/2024/gobd export ä+1.tar.gz", path: path, contentType: "application/gzip", retention: lock)
        #expect(stored.versionID.count >= 8 && stored.size == 100_000)
        #expect(stored.sha256 == Hex.encode(SHA256.hash(try Data(contentsOf: URL(fileURLWithPath: path)))))
        let head = try client.headObject(name: "org-7f3c/2024/gobd export ä+1.tar.gz", versionID: stored.versionID)
        #expect(head.retention == lock && head.size == 100_000 && head.versionID == stored.versionID)
        #expect(try client.retention(name: "org-7f3c/2024/gobd export ä+1.tar.gz", versionID: stored.versionID) == lock)
        let read = try client.getObject(name: "org-7f3c/2024/gobd export ä+1.tar.gz", versionID: stored.versionID)
        #expect(read.sha256 == stored.sha256 && read.size == 100_000)
    }

    @Test("a locked version cannot be deleted, with or without bypass; a delete marker leaves it readable; an overwrite too")
    func deletes() throws {
        let client = try S3Fixture.bucket("delete")
        let path = try S3Fixture.file(size: 1000)
        defer { unlink(path) }
        let stored = try client.putObject(name: "k", path: path, retention: S3Fixture.retention())
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true) }
        let marker = try client.deleteObject(name: "k")
        #expect(marker != nil && marker != stored.versionID)
        #expect(try client.getObject(name: "k", versionID: stored.versionID).sha256 == stored.sha256)
        let newer = try client.putObject(name: "k", path: path, retention: S3Fixture.retention(years: 1))
        #expect(newer.versionID != stored.versionID)
        #expect(try client.retention(name: "k", versionID: stored.versionID) == S3Fixture.retention())
    }

    @Test("retention: extended on the server; shorter or another mode refused here, before anything is sent; the server refuses them too")
    func extend() throws {
        let client = try S3Fixture.bucket("extend")
        let path = try S3Fixture.file(size: 10)
        defer { unlink(path) }
        let stored = try client.putObject(name: "k", path: path, retention: S3Fixture.retention())
        let later = S3Fixture.retention(years: 12)
        try client.extendRetention(name: "k", versionID: stored.versionID, to: later)
        #expect(try client.retention(name: "k", versionID: stored.versionID) == later)
        for refused in [S3Fixture.retention(years: 11), S3Fixture.retention(years: 12, mode: .governance)] {
            #expect(throws: ObjectStoreError.self) { try client.extendRetention(name: "k", versionID: stored.versionID, to: refused) }
        }
        // Sent anyway (bypassing our check): SeaweedFS refuses shortening and COMPLIANCE → GOVERNANCE.
        for refused in [S3Fixture.retention(years: 11), S3Fixture.retention(years: 12, mode: .governance)] {
            let body = refused.xmlBody
            Self.expectS3("AccessDenied", status: 403) {
                _ = try client.send(S3Request(method: "PUT", path: "/\(client.configuration.bucket)/k", query: [("retention", ""), ("versionId", stored.versionID)],
                                              headers: [("Content-MD5", Base64.encode(MessageDigest.hash(.md5, body)))], payloadHash: Hex.encode(SHA256.hash(body))),
                                    body: .bytes(body))
            }
        }
        #expect(try client.retention(name: "k", versionID: stored.versionID) == later)
    }

    @Test("legal hold: ON blocks the versioned delete even with bypass; the least-privilege uploader cannot set it")
    func legalHold() throws {
        let client = try S3Fixture.bucket("hold")
        let path = try S3Fixture.file(size: 10)
        defer { unlink(path) }
        let stored = try client.putObject(name: "k", path: path, retention: ObjectRetention(mode: .governance, retainUntil: Timestamp(year: 2030, month: 1, day: 1)!))
        try client.setLegalHold(name: "k", versionID: stored.versionID, .on)
        #expect(try client.legalHold(name: "k", versionID: stored.versionID) == .on)
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true) }
        let uploader = try S3Client(S3Fixture.configuration(bucket: client.configuration.bucket, key: SeaweedFS.uploaderKey, secret: SeaweedFS.uploaderSecret))
        Self.expectS3("AccessDenied", status: 403) { try uploader.setLegalHold(name: "k", versionID: stored.versionID, .off) }
        try client.setLegalHold(name: "k", versionID: stored.versionID, .off)
        #expect(try client.legalHold(name: "k", versionID: stored.versionID) == .off)
    }

    @Test("multipart: 40 MiB in parts of 8, 16 and 16 MiB, each checksummed, locked like a single PUT, read back whole")
    func multipart() throws {
        let client = try S3Fixture.bucket("multipart")
        let path = try S3Fixture.file(size: 40 << 20)
        defer { unlink(path) }
        let stored = try client.putObject(name: "big.tar.gz", path: path, retention: S3Fixture.retention())
        #expect(stored.size == 40 << 20)
        #expect(S3Client.partRanges(size: 40 << 20, partSize: 16 << 20).map(\.length) == [8 << 20, 16 << 20, 16 << 20])
        // A multipart object's ETag ends with its part count (a single PUT's is an MD5).
        #expect(stored.etag.hasSuffix("-3\""), "\(stored.etag)")
        #expect(try client.retention(name: "big.tar.gz", versionID: stored.versionID) == S3Fixture.retention())
        let read = try client.getObject(name: "big.tar.gz", versionID: stored.versionID)
        #expect(read.sha256 == stored.sha256 && read.size == 40 << 20)
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "big.tar.gz", versionID: stored.versionID) }
    }

    @Test("a wrong Content-MD5 or x-amz-checksum-sha256 is refused with BadDigest")
    func badDigest() throws {
        let client = try S3Fixture.bucket("digest")
        let body = Array("GoBD test payload\n".utf8)
        let wrongMD5 = Base64.encode(MessageDigest.hash(.md5, Array("other".utf8)))
        let wrongSHA = Base64.encode(SHA256.hash(Array("other".utf8)))
        for headers in [[("Content-MD5", wrongMD5)], [("x-amz-checksum-sha256", wrongSHA)]] {
            Self.expectS3("BadDigest", status: 400) {
                _ = try client.send(S3Request(method: "PUT", path: "/\(client.configuration.bucket)/k", headers: headers, payloadHash: Hex.encode(SHA256.hash(body))),
                                    body: .bytes(body))
            }
        }
    }

    @Test("a wrong secret, an unknown key and a clock an hour off are refused (403)")
    func authentication() throws {
        let admin = try S3Fixture.bucket("auth")
        let bucket = admin.configuration.bucket
        let wrongSecret = try S3Client(S3Fixture.configuration(bucket: bucket, secret: "wrong-secret"))
        Self.expectS3("SignatureDoesNotMatch", status: 403) { _ = try wrongSecret.bucketLockState() }
        let unknown = try S3Client(S3Fixture.configuration(bucket: bucket, key: "AKIAUNKNOWN000000000"))
        Self.expectS3("InvalidAccessKeyId", status: 403) { _ = try unknown.bucketLockState() }
        let skewed = try S3Client(S3Fixture.configuration(bucket: bucket)) { Timestamp(Date()).adding(seconds: -3600) }
        Self.expectS3("RequestTimeTooSkewed", status: 403) { _ = try skewed.bucketLockState() }
    }

    @Test("a bucket without Object Lock is refused at start, naming why")
    func plainBucket() throws {
        let client = try S3Fixture.bucket("plain", objectLock: false)
        do {
            try client.requireWORMBucket()
            Issue.record("a bucket without Object Lock was accepted")
        } catch {
            guard case .refused(let why) = error else {
                Issue.record("expected a refusal, got \(error)")
                return
            }
            #expect(why.contains("object lock is not enabled"))
        }
    }

    @Test("TLS: verified against the CA bundle by IP and by name; the system CAs (not trusting it) refuse it")
    func tls() throws {
        let client = try S3Fixture.bucket("tls", secure: true)
        let path = try S3Fixture.file(size: 5000)
        defer { unlink(path) }
        let stored = try client.putObject(name: "k", path: path, retention: S3Fixture.retention())
        #expect(try client.getObject(name: "k", versionID: stored.versionID).sha256 == stored.sha256)
        let byName = try S3Client(S3Fixture.configuration(secure: true, bucket: client.configuration.bucket, host: "localhost"))
        #expect(try byName.retention(name: "k", versionID: stored.versionID) == S3Fixture.retention())
        var untrusted = try S3Fixture.configuration(secure: true, bucket: client.configuration.bucket)
        untrusted.caBundle = nil
        do {
            _ = try S3Client(untrusted).bucketLockState()
            Issue.record("a self-signed certificate was trusted without its CA")
        } catch {
            guard case .tls(let why) = error else {
                Issue.record("expected a TLS refusal, got \(error)")
                return
            }
            #expect(why.contains("not trusted"), "\(why)")
        }
    }
}
