import Chronology
import ObjectStore
import Testing
import XML

/// The Object Lock documents: what we send, what we read back, S3's errors and their retry class.
@Suite struct S3DocumentsTests {
    static func document(_ text: String) throws -> XMLElement {
        try XMLReader.parse(Array(text.utf8)).get()
    }

    @Test("retention: the body sent, read back; whole seconds; a fraction in the answer read")
    func retention() throws {
        let until = try #require(Timestamp(year: 2036, month: 1, day: 1))
        let retention = ObjectRetention(mode: .compliance, retainUntil: until.adding(seconds: 0))
        #expect(retention.retainUntilText == "2036-01-01T00:00:00Z")
        let body = String(decoding: retention.xmlBody, as: UTF8.self)
        #expect(body == #"<?xml version="1.0" encoding="UTF-8"?><Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>2036-01-01T00:00:00Z</RetainUntilDate></Retention>"#)
        #expect(try ObjectRetention(document: XMLReader.parse(retention.xmlBody).get()) == retention)
        let answered = try ObjectRetention(document: Self.document(
            "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-05-06T07:08:09.000Z</RetainUntilDate></Retention>"))
        #expect(answered.mode == .governance && answered.retainUntil.rfc3339Compact == "2030-05-06T07:08:09Z")
        #expect(throws: XMLError.self) { try ObjectRetention(document: Self.document("<Retention><Mode>FOREVER</Mode></Retention>")) }
        #expect(throws: XMLError.self) { try ObjectRetention(document: Self.document("<Retention><Mode>COMPLIANCE</Mode></Retention>")) }
        #expect(throws: XMLError.self) { try ObjectRetention(document: Self.document("<LegalHold/>")) }
    }

    @Test("legal hold: ON and OFF, nothing else")
    func legalHold() throws {
        #expect(String(decoding: LegalHold.on.xmlBody, as: UTF8.self).hasSuffix("<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>ON</Status></LegalHold>"))
        #expect(try LegalHold(document: Self.document("<LegalHold><Status>OFF</Status></LegalHold>")) == .off)
        #expect(throws: XMLError.self) { try LegalHold(document: Self.document("<LegalHold><Status>on</Status></LegalHold>")) }
    }

    @Test("a bucket is a WORM store only when versioned with Object Lock enabled")
    func bucket() throws {
        #expect(try BucketLockState.versioning(document: Self.document("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")) == .enabled)
        #expect(try BucketLockState.versioning(document: Self.document("<VersioningConfiguration/>")) == .never)
        let config = try BucketLockState.lockConfiguration(document: Self.document("""
            <ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>
            <Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>6</Years></DefaultRetention></Rule></ObjectLockConfiguration>
            """))
        #expect(config.enabled && config.defaultRetention == .init(mode: .compliance, days: nil, years: 6))
        #expect(throws: XMLError.self) {
            try BucketLockState.lockConfiguration(document: Self.document(
                "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>+5</Days></DefaultRetention></Rule></ObjectLockConfiguration>"))
        }
        #expect(BucketLockState(versioning: .enabled, objectLockEnabled: true).problem == nil)
        #expect(BucketLockState(versioning: .enabled, objectLockEnabled: false).problem?.contains("object lock is not enabled") == true)
        #expect(BucketLockState(versioning: .suspended, objectLockEnabled: true).problem?.contains("suspended") == true)
    }

    @Test("errors: the code from the document, else from the status; only the server's trouble is retried")
    func errors() {
        let body = Array("<Error><Code>BadDigest</Code><Message>The Content-Md5 you specified did not match</Message><RequestId>R1</RequestId></Error>".utf8)
        let error = S3Error(status: 400, body: body)
        #expect(error == S3Error(status: 400, code: "BadDigest", message: "The Content-Md5 you specified did not match", requestID: "R1"))
        #expect(!error.isRetryable)
        #expect(S3Error(status: 403, body: []).code == "AccessDenied")
        #expect(S3Error(status: 404, body: Array("<html>proxy</html>".utf8)).code == "NotFound")
        #expect(S3Error(status: 503, body: Array("<Error><Code>SlowDown</Code></Error>".utf8)).isRetryable)
        #expect(S3Error(status: 500, body: []).isRetryable && S3Error(status: 502, body: []).isRetryable)
        #expect(S3Error(status: 400, code: "RequestTimeout").isRetryable)
        for status in [400, 403, 404, 409, 412] { #expect(!S3Error(status: status, body: []).isRetryable) }
        #expect(S3Error(status: 403, code: "AccessDenied", message: "m", requestID: "r").description == "s3 answered 403 AccessDenied: m (request id r)")
    }

    @Test("multipart: the upload ID, the completion body in part order with escaped ETags, an error inside a 200")
    func multipart() throws {
        #expect(try MultipartUpload.uploadID(document: Self.document(
            "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>")) == "u-1")
        #expect(throws: XMLError.self) { try MultipartUpload.uploadID(document: Self.document("<InitiateMultipartUploadResult/>")) }
        let body = String(decoding: MultipartUpload.completionBody([
            .init(number: 2, etag: "\"b\"", checksumSHA256: "B="), .init(number: 1, etag: "\"a\"", checksumSHA256: "A="),
        ]), as: UTF8.self)
        #expect(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag><ChecksumSHA256>A=</ChecksumSHA256></Part><Part><PartNumber>2</PartNumber>"))
        #expect(MultipartUpload.completion(status: 200, body: Array(
            "<CompleteMultipartUploadResult><ETag>&quot;x-2&quot;</ETag></CompleteMultipartUploadResult>".utf8)) == .success("\"x-2\""))
        #expect(MultipartUpload.completion(status: 200, body: Array("<Error><Code>InternalError</Code></Error>".utf8))
            == .failure(S3Error(status: 200, code: "InternalError")))
        guard case .failure(let malformed) = MultipartUpload.completion(status: 200, body: []) else {
            Issue.record("an empty completion answer was taken for success")
            return
        }
        #expect(malformed.code == "MalformedCompletion")
    }

    @Test("multi-delete: each entry's outcome in order — deleted, a delete marker, refused with its code; a malformed answer refused")
    func multiDelete() throws {
        let answer = Array("""
            <?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Deleted><Key>plain</Key><VersionId>v0</VersionId></Deleted>\
            <Error><Key>locked key</Key><VersionId>v1</VersionId><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>\
            <Deleted><Key>marked</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>m9</DeleteMarkerVersionId></Deleted>\
            </DeleteResult>
            """.utf8)
        let document = try XMLReader.parse(answer).get()
        #expect(try MultiDelete.outcomes(document: document) == [
            .deleted(.init(key: "plain", versionID: "v0"), deleteMarkerVersionID: nil),
            .refused(.init(key: "locked key", versionID: "v1"), code: "AccessDenied", message: "Access Denied."),
            .deleted(.init(key: "marked"), deleteMarkerVersionID: "m9"),
        ])
        #expect(throws: XMLError.self) { try MultiDelete.outcomes(document: XMLElement(name: "Error")) }
        #expect(throws: XMLError.self) {
            try MultiDelete.outcomes(document: XMLElement(name: "DeleteResult", children: [XMLElement(name: "Error", children: [XMLElement(name: "Code", text: "X")])]))
        }
    }

    @Test("version listing: versions and delete markers in order, the next page's markers; a truncated page without a marker refused")
    func versionListing() throws {
        let answer = Array("""
            <?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Name>b</Name><Prefix>checkpoints/</Prefix><IsTruncated>true</IsTruncated>\
            <NextKeyMarker>checkpoints/o/2.txt</NextKeyMarker><NextVersionIdMarker>v3</NextVersionIdMarker>\
            <Version><Key>checkpoints/o/1.txt</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><Size>300</Size></Version>\
            <DeleteMarker><Key>checkpoints/o/2.txt</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest></DeleteMarker>\
            <Version><Key>checkpoints/o/2.txt</Key><VersionId>v3</VersionId><IsLatest>false</IsLatest></Version>\
            </ListVersionsResult>
            """.utf8)
        let listing = try VersionListing(document: try XMLReader.parse(answer).get())
        #expect(listing.versions == [.init(key: "checkpoints/o/1.txt", versionID: "v1", isDeleteMarker: false),
                                     .init(key: "checkpoints/o/2.txt", versionID: "v2", isDeleteMarker: true),
                                     .init(key: "checkpoints/o/2.txt", versionID: "v3", isDeleteMarker: false)])
        #expect(listing.next?.keyMarker == "checkpoints/o/2.txt" && listing.next?.versionIDMarker == "v3")
        let last = try VersionListing(document: XMLElement(name: "ListVersionsResult", children: [XMLElement(name: "IsTruncated", text: "false")]))
        #expect(last.versions.isEmpty && last.next == nil)
        #expect(throws: XMLError.self) {
            try VersionListing(document: XMLElement(name: "ListVersionsResult", children: [XMLElement(name: "IsTruncated", text: "true")]))
        }
        #expect(throws: XMLError.self) { try VersionListing(document: XMLElement(name: "ListBucketResult")) }
    }
}
