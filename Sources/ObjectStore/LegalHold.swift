import XML
/// A version's legal hold: `<LegalHold><Status>ON|OFF</Status></LegalHold>`. It never expires
/// and protects the version whatever its retention (docs/s3-object-lock.md §2).
public enum LegalHold: String, Sendable, Equatable {
    case on = "ON"
    case off = "OFF"

    /// The PutObjectLegalHold body.
    public var xmlBody: [UInt8] {
        S3XMLWriter.document("LegalHold", S3XMLWriter.element("Status", rawValue))
    }

    /// Reads a GetObjectLegalHold answer.
    public init(document: XMLElement) throws(XMLError) {
        guard document.name == "LegalHold" else { throw .unexpected("<\(document.name)> instead of <LegalHold>") }
        guard let status = document.value("Status").map(\.trimmed), let hold = LegalHold(rawValue: status) else {
            throw .unexpected("<LegalHold> without ON or OFF")
        }
        self = hold
    }
}
