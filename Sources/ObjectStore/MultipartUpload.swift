import XML
/// The documents of a multipart upload: the upload ID CreateMultipartUpload answers with, the
/// CompleteMultipartUpload body listing every part with its ETag and SHA-256, and its answer —
/// which can be an `<Error>` inside a 200 (S3 reports a failure found while assembling that way).
public enum MultipartUpload {
    /// One uploaded part.
    public struct Part: Sendable, Equatable {
        public let number: Int
        public let etag: String
        /// Base64 SHA-256 of the part (`x-amz-checksum-sha256` it was sent with).
        public let checksumSHA256: String

        public init(number: Int, etag: String, checksumSHA256: String) {
            self.number = number
            self.etag = etag
            self.checksumSHA256 = checksumSHA256
        }
    }

    /// `<InitiateMultipartUploadResult>…<UploadId>…</UploadId>`.
    public static func uploadID(document: XMLElement) throws(XMLError) -> String {
        guard document.name == "InitiateMultipartUploadResult", let id = document.value("UploadId")?.trimmed, !id.isEmpty else {
            throw .unexpected("<\(document.name)> without an <UploadId>")
        }
        return id
    }

    /// The CompleteMultipartUpload body, parts in ascending order.
    public static func completionBody(_ parts: [Part]) -> [UInt8] {
        let content = parts.sorted { $0.number < $1.number }.map { part in
            "<Part>" + S3XMLWriter.element("PartNumber", String(part.number)) + S3XMLWriter.element("ETag", part.etag)
                + S3XMLWriter.element("ChecksumSHA256", part.checksumSHA256) + "</Part>"
        }.joined()
        return S3XMLWriter.document("CompleteMultipartUpload", content)
    }

    /// Reads CompleteMultipartUpload's answer: the object's ETag, or the error inside the 200.
    public static func completion(status: Int, body: [UInt8]) -> Result<String, S3Error> {
        guard case .success(let document) = XMLReader.parse(body) else {
            return .failure(S3Error(status: status, code: "MalformedCompletion", message: "the completion answer is not xml"))
        }
        if document.name == "Error" { return .failure(S3Error(status: status, body: body)) }
        guard document.name == "CompleteMultipartUploadResult", let etag = document.value("ETag")?.trimmed else {
            return .failure(S3Error(status: status, code: "MalformedCompletion", message: "<\(document.name)> without an <ETag>"))
        }
        return .success(etag)
    }
}
