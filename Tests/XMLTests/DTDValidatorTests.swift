import Testing
import XML

/// DTD parsing and validation without any other program, checked on small grammars; the GDPdU
/// grammar itself is exercised by the Gdpdu tests beside Xerces.
@Suite struct DTDValidatorTests {
    static let dtd = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment -->
        <!ELEMENT Root (Head?, Item*, Item*, Tail?)>
        <!ELEMENT Head (#PCDATA)>
        <!ELEMENT Item ((A | B), C?)>
        <!ELEMENT A EMPTY>
        <!ELEMENT B (#PCDATA)>
        <!ELEMENT C (#PCDATA | A)*>
        <!ELEMENT Tail ANY>
        """

    static func definition() throws -> DocumentTypeDefinition {
        try DocumentTypeDefinition.parse(Array(dtd.utf8)).get()
    }

    static func findings(_ body: String) throws -> [DTDValidator.Finding] {
        let text = "<?xml version=\"1.0\"?><!DOCTYPE Root SYSTEM \"r.dtd\">" + body
        let document = try XMLReader.parseDocument(Array(text.utf8), allowDocumentType: true).get()
        return DTDValidator.validate(document, against: try definition())
    }

    @Test("declarations parsed: EMPTY, ANY, mixed, nested groups with occurrence marks, in file order")
    func parse() throws {
        let d = try Self.definition()
        #expect(d.order == ["Root", "Head", "Item", "A", "B", "C", "Tail"])
        #expect(d.elements["A"] == .empty && d.elements["Tail"] == .any && d.elements["Head"] == .mixed([]) && d.elements["C"] == .mixed(["A"]))
        #expect(d.elements["Item"] == .children(.sequence([.choice([.name("A"), .name("B")]), .optional(.name("C"))])))
    }

    @Test("valid documents, including the ambiguous Item*, Item* that libxml2 refuses")
    func valid() throws {
        #expect(try Self.findings("<Root/>").isEmpty)
        #expect(try Self.findings("<Root><Head>h</Head><Item><A/></Item><Item><B>b</B><C>t<A/>t</C></Item><Tail><A/>t</Tail></Root>").isEmpty)
        #expect(try Self.findings("<Root>\n  <Item><A></A></Item>\n</Root>").isEmpty)
    }

    @Test("every violation found, with its path", arguments: [
        ("<Root><Item><A/></Item><Head/></Root>", "/Root: the content (Item,Head)"),
        ("<Root><Item><C/></Item></Root>", "/Root/Item[1]: the content (C) does not match"),
        ("<Root><Item><A>x</A></Item></Root>", "/Root/Item[1]/A[1]: declared EMPTY"),
        ("<Root><Head><A/></Head></Root>", "/Root/Head[1]: element A is not allowed"),
        ("<Root>text</Root>", "/Root: text where only elements are allowed"),
        ("<Root><Unknown/></Root>", "/Root/Unknown[1]: element Unknown is not declared"),
        ("<Root id=\"1\"/>", "/Root: attribute id is not declared"),
        ("<Root><Item><A/></Item><Item><B/><C/><C/></Item></Root>", "/Root/Item[2]: the content (B,C,C)"),
    ])
    func invalid(body: String, expected: String) throws {
        let found = try Self.findings(body)
        #expect(found.contains { $0.description.hasPrefix(expected) }, "\(found)")
    }

    @Test("the root must be the one the DOCTYPE names; a document without DOCTYPE is refused")
    func root() throws {
        let document = try XMLReader.parseDocument(Array("<!DOCTYPE Root SYSTEM \"r.dtd\"><Head/>".utf8), allowDocumentType: true).get()
        #expect(DTDValidator.validate(document, against: try Self.definition()).contains { $0.message.contains("the DOCTYPE names Root") })
        let bare = try XMLReader.parseDocument(Array("<Root/>".utf8), allowDocumentType: true).get()
        #expect(DTDValidator.validate(bare, against: try Self.definition()).contains { $0.message.hasPrefix("no DOCTYPE") })
    }

    @Test("a DTD with anything but element declarations and comments is refused, never half-applied", arguments: [
        "<!ELEMENT a EMPTY><!ATTLIST a x CDATA #IMPLIED>",
        "<!ENTITY x \"y\"><!ELEMENT a EMPTY>",
        "<!ELEMENT a EMPTY><!ELEMENT a EMPTY>",
        "<!ELEMENT a (b, c | d)>",
        "<!ELEMENT a (#PCDATA | b)>",
        "<!ELEMENT a (b>",
        "<!ELEMENT a EMPTY",
        "%x;",
        "<!-- unterminated",
    ])
    func refusedDTD(text: String) {
        if case .success = DocumentTypeDefinition.parse(Array(text.utf8)) { Issue.record("accepted: \(text)") }
    }

    @Test("the content-model matcher agrees with the model's meaning on every sequence up to 5 names")
    func exhaustive() {
        // (A, B*)+ | C? : a direct reference matcher for comparison.
        let model = ContentModel.choice([.oneOrMore(.sequence([.name("A"), .zeroOrMore(.name("B"))])), .optional(.name("C"))])
        func reference(_ s: [String]) -> Bool {
            if s.isEmpty || s == ["C"] { return true }
            return s.first == "A" && !s.contains("C")
        }
        var all: [[String]] = [[]]
        for _ in 0..<5 { all += all.filter { $0.count == all.last!.count }.flatMap { p in ["A", "B", "C"].map { p + [$0] } } }
        for s in all { #expect(model.matches(s) == reference(s), "\(s)") }
    }
}
