/// One element of an S3 XML document: its local name (namespace prefix dropped), the text
/// directly inside it, and its child elements in order. Attributes are not kept: S3's
/// documents carry nothing in them but `xmlns`.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    public init(name: String, text: String = "", children: [XMLElement] = []) {
        self.name = name
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
}
