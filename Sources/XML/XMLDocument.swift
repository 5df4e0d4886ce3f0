/// A parsed document: the root element and, when the document has one, its document type
/// declaration (only the `<!DOCTYPE Root SYSTEM "file">` form is read: no internal subset, no
/// public identifier — nothing is ever fetched or expanded).
public struct XMLDocument: Sendable, Equatable {
    public struct DocumentType: Sendable, Equatable {
        public var rootName: String
        public var systemID: String

        public init(rootName: String, systemID: String) {
            self.rootName = rootName
            self.systemID = systemID
        }
    }

    public var root: XMLElement
    public var documentType: DocumentType?
    /// The `encoding` of the XML declaration, when it names one.
    public var declaredEncoding: String?

    public init(root: XMLElement, documentType: DocumentType? = nil, declaredEncoding: String? = nil) {
        self.root = root
        self.documentType = documentType
        self.declaredEncoding = declaredEncoding
    }
}
