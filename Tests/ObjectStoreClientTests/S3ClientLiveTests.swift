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

    /// The body fails because the object or version is not there.
    static func expectMissing(_ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected the version to be gone, it is there")
        } catch {
            guard case ObjectStoreError.s3(let s3) = error, s3.isMissingObject else {
                Issue.record("expected a missing version, got \(error)")
                return
            }
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
        // The GET's own fields carry the lock and the version: no HEAD needed to judge it.
        #expect(read.info.retention == lock && read.info.versionID == stored.versionID && read.info.checksumSHA256 != nil)
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

    @Test("a multi-delete naming a locked version refuses that entry (AccessDenied) and deletes the unlocked one beside it")
    func multiDelete() throws {
        let client = try S3Fixture.bucket("multidelete")
        let path = try S3Fixture.file(size: 100)
        defer { unlink(path) }
        let locked = try client.putObject(name: "locked", path: path, retention: S3Fixture.retention())
        let free = try client.putObject(name: "free", path: path, retention: nil)
        let outcomes = try client.deleteObjects([.init(key: locked.key, versionID: locked.versionID), .init(key: free.key, versionID: free.versionID)])
        #expect(outcomes.count == 2)
        #expect(outcomes.contains { if case .refused(let entry, let code, _) = $0 { entry.key == "locked" && code == "AccessDenied" } else { false } }, "\(outcomes)")
        #expect(outcomes.contains(.deleted(.init(key: "free", versionID: free.versionID), deleteMarkerVersionID: nil)), "\(outcomes)")
        #expect(try client.getObject(name: "locked", versionID: locked.versionID).sha256 == locked.sha256)
        Self.expectMissing { _ = try client.headObject(name: "free", versionID: free.versionID) }
    }

    @Test("a version locked only by the bucket's default retention cannot be deleted; the default is the admin's to set, not the uploader's")
    func defaultRetention() throws {
        let client = try S3Fixture.bucket("default")
        let uploader = try S3Client(S3Fixture.configuration(bucket: client.configuration.bucket, key: SeaweedFS.uploaderKey, secret: SeaweedFS.uploaderSecret))
        Self.expectS3("AccessDenied", status: 403) { try uploader.setDefaultRetention(.init(mode: .compliance, days: 1)) }
        try client.setDefaultRetention(.init(mode: .compliance, days: 1))
        #expect(try client.bucketLockState().defaultRetention == .init(mode: .compliance, days: 1))
        let path = try S3Fixture.file(size: 100)
        defer { unlink(path) }
        let before = Timestamp(Date())
        let stored = try uploader.putObject(name: "k", path: path, retention: nil)
        let lock = try client.retention(name: "k", versionID: stored.versionID)
        #expect(lock.mode == .compliance, "\(lock)")
        let day: Int64 = 86_400_000_000, until = lock.retainUntil.microsecondsSinceEpoch
        #expect(until >= before.microsecondsSinceEpoch + day - 1_000_000 && until <= Timestamp(Date()).microsecondsSinceEpoch + day + 1_000_000, "\(lock)")
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true) }
    }

    @Test("versioning of a bucket with Object Lock cannot be suspended (409); it stays enabled")
    func versioningStays() throws {
        let client = try S3Fixture.bucket("versioning")
        Self.expectS3("InvalidBucketState", status: 409) { try client.setVersioning(.suspended) }
        #expect(try client.bucketLockState().versioning == .enabled)
    }

    @Test("CopyObject with lock headers: the copy is locked with its own date and held (read back, set where the store dropped the headers), cannot be deleted, holds the same bytes")
    func copy() throws {
        let client = try S3Fixture.bucket("copy")
        let path = try S3Fixture.file(size: 10_000)
        defer { unlink(path) }
        let source = try client.putObject(name: "source", path: path, retention: nil)
        let lock = S3Fixture.retention(years: 7)
        let copied = try client.copyObject(from: "source", versionID: source.versionID, to: "copy", retention: lock, legalHold: true)
        #expect(try client.retention(name: "copy", versionID: copied) == lock)
        #expect(try client.legalHold(name: "copy", versionID: copied) == .on)
        #expect(try client.legalHold(name: "source", versionID: source.versionID) == .off)
        #expect(try client.getObject(name: "copy", versionID: copied).sha256 == source.sha256)
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "copy", versionID: copied) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "copy", versionID: copied, bypassGovernance: true) }
    }

    @Test("a legal hold outlives the retention: after retain-until it still blocks the delete, bypass or not; released, the delete goes through")
    func holdAfterExpiry() async throws {
        let client = try S3Fixture.bucket("expiry")
        let path = try S3Fixture.file(size: 100)
        defer { unlink(path) }
        // Whole seconds, 3 to 4 s ahead (a date in the past is refused).
        let until = Timestamp(microsecondsSinceEpoch: (Timestamp(Date()).microsecondsSinceEpoch / 1_000_000 + 4) * 1_000_000)
        let stored = try client.putObject(name: "k", path: path, retention: ObjectRetention(mode: .compliance, retainUntil: until), legalHold: true)
        #expect(try client.legalHold(name: "k", versionID: stored.versionID) == .on)
        // Waits without holding one of the cooperative pool's two threads (the HTTP server tests
        // beside this suite need them).
        while Timestamp(Date()).microsecondsSinceEpoch <= until.microsecondsSinceEpoch + 1_000_000 { try await Task.sleep(for: .milliseconds(200)) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true) }
        try client.setLegalHold(name: "k", versionID: stored.versionID, .off)
        try client.deleteObject(name: "k", versionID: stored.versionID)
        Self.expectMissing { _ = try client.headObject(name: "k", versionID: stored.versionID) }
    }

    @Test("the least-privilege uploader cannot bypass GOVERNANCE (403) where the admin can")
    func bypass() throws {
        let client = try S3Fixture.bucket("bypass")
        let uploader = try S3Client(S3Fixture.configuration(bucket: client.configuration.bucket, key: SeaweedFS.uploaderKey, secret: SeaweedFS.uploaderSecret))
        let path = try S3Fixture.file(size: 100)
        defer { unlink(path) }
        let stored = try uploader.putObject(name: "k", path: path, retention: S3Fixture.retention(mode: .governance))
        Self.expectS3("AccessDenied", status: 403) { try uploader.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true) }
        Self.expectS3("AccessDenied", status: 403) { try client.deleteObject(name: "k", versionID: stored.versionID) }
        try client.deleteObject(name: "k", versionID: stored.versionID, bypassGovernance: true)
        Self.expectMissing { _ = try client.headObject(name: "k", versionID: stored.versionID) }
    }

    @Test("multipart: 40 MiB in parts of 8, 16 and 16 MiB, each checksummed, locked like a single PUT, read back whole")
    func multipart() async throws {
        let client = try S3Fixture.bucket("multipart")
        let path = try S3Fixture.file(size: 40 << 20)
        defer { unlink(path) }
        // 40 MiB up and back take seconds: on a thread of their own, not the cooperative pool's.
        let stored = try await Blocking.run { try client.putObject(name: "big.tar.gz", path: path, retention: S3Fixture.retention()) }
        #expect(stored.size == 40 << 20)
        #expect(S3Client.partRanges(size: 40 << 20, partSize: 16 << 20).map(\.length) == [8 << 20, 16 << 20, 16 << 20])
        // A multipart object's ETag ends with its part count (a single PUT's is an MD5).
        #expect(stored.etag.hasSuffix("-3\""), "\(stored.etag)")
        #expect(try client.retention(name: "big.tar.gz", versionID: stored.versionID) == S3Fixture.retention())
        let read = try await Blocking.run { try client.getObject(name: "big.tar.gz", versionID: stored.versionID) }
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
