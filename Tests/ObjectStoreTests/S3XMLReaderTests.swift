import ObjectStore
import Testing

/// The XML subset S3 answers with, read; everything outside it refused with a reason.
@Suite struct S3XMLReaderTests {
    static func parse(_ text: String) -> Result<XMLElement, S3XMLError> {
        S3XMLReader.parse(Array(text.utf8))
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
        #expect(throws: S3XMLError.self) { try Self.parse(deep).get() }
        let fine = String(repeating: "<a>", count: 32) + String(repeating: "</a>", count: 32)
        #expect((try? Self.parse(fine).get()) != nil)
        let large = [UInt8](repeating: 0x20, count: S3XMLReader.maxBytes + 1)
        #expect(S3XMLReader.parse(large) == .failure(.tooLarge(S3XMLReader.maxBytes + 1)))
    }

    @Test("every proper prefix of a document is refused, never accepted half-read")
    func prefixes() {
        let bytes = Array(Self.retention.utf8)
        for n in 0..<bytes.count {
            if case .success = S3XMLReader.parse(Array(bytes[..<n])) { Issue.record("prefix of \(n) bytes accepted") }
        }
    }
}
