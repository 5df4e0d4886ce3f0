import Testing
import XML

/// The XML subset S3 answers with and packages carry, read; everything outside it refused with a reason.
@Suite struct XMLReaderTests {
    static func parse(_ text: String) -> Result<XMLElement, XMLError> {
        XMLReader.parse(Array(text.utf8))
    }

    static let retention = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- SeaweedFS 4.48 -->
        <Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Mode>COMPLIANCE</Mode>
          <RetainUntilDate>2036-01-01T00:00:00Z</RetainUntilDate>
        </Retention>
        """

    @Test("a document: prolog, comment, namespace, indentation; names without prefixes")
    func document() throws {
        let root = try Self.parse(Self.retention).get()
        #expect(root.name == "Retention" && root.children.map(\.name) == ["Mode", "RetainUntilDate"])
        #expect(root.value("Mode") == "COMPLIANCE" && root.value("RetainUntilDate") == "2036-01-01T00:00:00Z")
        let prefixed = try Self.parse(#"<s3:Error xmlns:s3="x"><s3:Code>NoSuchKey</s3:Code></s3:Error>"#).get()
        #expect(prefixed.name == "Error" && prefixed.value("Code") == "NoSuchKey")
    }

    @Test("entities, character references, CDATA and empty elements")
    func text() throws {
        let root = try Self.parse(#"<a><b>&quot;etag&quot; &amp; &lt;&gt;&apos;</b><c>&#228;&#x2B;</c><d><![CDATA[<raw> & ]]></d><e/><f attr='1' other="2">x</f></a>"#).get()
        #expect(root.value("b") == "\"etag\" & <>'")
        #expect(root.value("c") == "ä+")
        #expect(root.value("d") == "<raw> & ")
        #expect(root.child("e") == XMLElement(name: "e"))
        #expect(root.value("f") == "x")
        #expect(root.child("f")?.attributes == [XMLAttribute("attr", "1"), XMLAttribute("other", "2")])
    }

    @Test("refused with a reason", arguments: [
        "",                                                     // no root
        "<a>",                                                  // never closed
        "<a></b>",                                              // mismatched
        "<a><b></a></b>",                                       // crossed
        "<a>x</a><b/>",                                         // two roots
        "<a>x</a>trailing",                                     // text after the root
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",   // a DTD: never read (XXE)
        "<a>&x;</a>",                                           // unknown entity
        "<a>&#0;</a>", "<a>&#x110000;</a>", "<a>&#xZZ;</a>", "<a>&amp</a>",
        "<a b=c></a>",                                          // unquoted attribute
        "<a><![CDATA[x</a>",                                    // unterminated CDATA
        "<a><!-- x</a>",                                        // unterminated comment
        "<a><?xml version=\"1.0\"?></a>",                      // a declaration inside
        "<a x=\"1\" x=\"2\"/>",                                 // a repeated attribute
        "<a x=\"1\"y=\"2\"/>",                                  // attributes not separated
        "<!DOCTYPE a SYSTEM \"a.dtd\"><a/>",                    // a DOCTYPE where none is read
    ])
    func refused(text: String) {
        guard case .failure(let error) = Self.parse(text) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(!error.description.isEmpty)
    }

    @Test("bounded: nesting deeper than 32 and documents over 1 MiB are refused")
    func bounds() {
        let deep = String(repeating: "<a>", count: 33) + String(repeating: "</a>", count: 33)
        #expect(throws: XMLError.self) { try Self.parse(deep).get() }
        let fine = String(repeating: "<a>", count: 32) + String(repeating: "</a>", count: 32)
        #expect((try? Self.parse(fine).get()) != nil)
        let large = [UInt8](repeating: 0x20, count: XMLReader.maxBytes + 1)
        #expect(XMLReader.parse(large) == .failure(.tooLarge(XMLReader.maxBytes + 1, limit: XMLReader.maxBytes)))
    }

    @Test("every proper prefix of a document is refused, never accepted half-read")
    func prefixes() {
        let bytes = Array(Self.retention.utf8)
        for n in 0..<bytes.count {
            if case .success = XMLReader.parse(Array(bytes[..<n])) { Issue.record("prefix of \(n) bytes accepted") }
        }
    }
}

/// Documents with a DOCTYPE (index.xml) and attributes (integrity.xml).
@Suite struct XMLDocumentTests {
    @Test("a SYSTEM DOCTYPE is read when allowed: root name, system id, declared encoding")
    func doctype() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE DataSet SYSTEM \"gdpdu-01-09-2004.dtd\">\n<DataSet><Version>1</Version></DataSet>\n"
        let document = try XMLReader.parseDocument(Array(text.utf8), allowDocumentType: true).get()
        #expect(document.documentType == XMLDocument.DocumentType(rootName: "DataSet", systemID: "gdpdu-01-09-2004.dtd"))
        #expect(document.declaredEncoding == "UTF-8" && document.root.value("Version") == "1")
    }

    @Test("any other DOCTYPE is refused: internal subsets (XXE), PUBLIC identifiers, two of them", arguments: [
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
        "<!DOCTYPE a SYSTEM \"a.dtd\" [<!ENTITY x \"y\">]><a>&x;</a>",
        "<!DOCTYPE a PUBLIC \"-//X//DTD\" \"a.dtd\"><a/>",
        "<!DOCTYPE a SYSTEM \"a.dtd\"><!DOCTYPE a SYSTEM \"a.dtd\"><a/>",
        "<a/><!DOCTYPE a SYSTEM \"a.dtd\">",
        "<!DOCTYPE a SYSTEM a.dtd><a/>",
    ])
    func refusedDoctype(text: String) {
        if case .success = XMLReader.parseDocument(Array(text.utf8), allowDocumentType: true) { Issue.record("accepted: \(text)") }
    }

    @Test("bytes that are not UTF-8 are refused")
    func notUTF8() {
        #expect(throws: XMLError.self) { try XMLReader.parse(Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8)).get() }
    }

    @Test("attribute values: references replaced, white space normalized, either quote")
    func attributes() throws {
        let root = try XMLReader.parse(Array("<a k=\"x&amp;y&#10;z\tw\" q='\"'/>".utf8)).get()
        #expect(root.attribute("k") == "x&y\nz w" && root.attribute("q") == "\"" && root.attribute("none") == nil)
    }

    @Test("escaped text reads back as written")
    func escapeRoundTrip() throws {
        let text = "a & b < c > d \" e ' f – € ä"
        let root = try XMLReader.parse(Array("<a v=\"\(XMLText.escape(text))\">\(XMLText.escape(text))</a>".utf8)).get()
        #expect(root.text == text && root.attribute("v") == text)
    }
}
