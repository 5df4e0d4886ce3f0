import XML

/// The request bodies we send (`?retention`, `?legal-hold`, CompleteMultipartUpload), written
/// with their text escaped (XML 1.0 §2.4: `&`, `<`, `>`, and quotes).
public enum S3XMLWriter {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// `<Name xmlns="…">` + content + `</Name>`, with the XML declaration.
    public static func document(_ root: String, _ content: String) -> [UInt8] {
        Array(#"<?xml version="1.0" encoding="UTF-8"?><\#(root) xmlns="\#(namespace)">\#(content)</\#(root)>"#.utf8)
    }

    /// `<name>text</name>`, the text escaped.
    public static func element(_ name: String, _ text: String) -> String {
        "<\(name)>\(XMLText.escape(text))</\(name)>"
    }
}
