/// One element of a document: its local name (a namespace prefix dropped: S3 answers with
/// default namespaces, sometimes prefixed), the name as written, its attributes in document
/// order, the text directly inside it, and its child elements in order.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var qualifiedName: String
    public var attributes: [XMLAttribute]
    public var text: String
    public var children: [XMLElement]

    public init(name: String, qualifiedName: String? = nil, attributes: [XMLAttribute] = [], text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.qualifiedName = qualifiedName ?? name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child named `name`.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The text of the first child named `name`.
    public func value(_ name: String) -> String? {
        child(name)?.text
    }

    /// The value of the attribute `name` (as written, prefix included), nil when absent.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}
