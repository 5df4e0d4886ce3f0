import XML

/// The GDPdU DataSet grammar (Beschreibungsstandard 1.5 = 1.6 element declarations,
/// docs/gobd-bao-export.md §3.2) built in, so an auditor's machine validates `index.xml` without
/// Java: the package's DTD must declare exactly these elements with these content models
/// (comments and layout may differ — the official file does), and `index.xml` must be valid
/// against it.
public enum GdpduGrammar {
    /// The DTD file packages ship unless a deployment supplies the official one
    /// (`IMMOFLOW_GDPDU_DTD`): byte for byte share/gdpdu/gdpdu-01-09-2004.dtd (a test compares them).
    public static let bundledDTD = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- GDPdU Beschreibungsstandard, version 1.5 (01.09.2004): the element declarations written by
             immoflow-compliance from the standard's content models (docs/gobd-bao-export.md §3.2; the
             element declarations of 1.5 and 1.6 are identical). The official file could not be obtained
             here; a deployment replaces this file with the official one, byte-identical, and packages
             then carry that file unchanged. -->
        <!ELEMENT DataSet (Extension*, Version, DataSupplier?, Command*, Media+, Command*)>
        <!ELEMENT Extension (Name, URL)>
        <!ELEMENT DataSupplier (Name, Location, Comment)>
        <!ELEMENT Media (Name, Command*, Table*, Command*, AcceptNoTables?)>
        <!ELEMENT Table (URL, Name?, Description?, Validity?, (ANSI | Macintosh | OEM | UTF16 | UTF7 | UTF8)?,
                         (DecimalSymbol, DigitGroupingSymbol)?, SkipNumBytes?, Range?, Epoch?, (VariableLength | FixedLength))>
        <!ELEMENT Validity (Range, Format?)>
        <!ELEMENT Range (From, (To | Length)?)>
        <!ELEMENT FixedRange (From, (To | Length))>
        <!ELEMENT VariableLength (ColumnDelimiter?, RecordDelimiter?, TextEncapsulator?,
                                  ((VariablePrimaryKey+, VariableColumn*) | VariableColumn+), ForeignKey*)>
        <!ELEMENT VariablePrimaryKey (Name, Description?, (Numeric | (AlphaNumeric, MaxLength?) | Date), Map*)>
        <!ELEMENT VariableColumn (Name, Description?, (Numeric | (AlphaNumeric, MaxLength?) | Date), Map*)>
        <!ELEMENT FixedLength ((Length | RecordDelimiter)?, ((FixedPrimaryKey+, FixedColumn*) | FixedColumn+), ForeignKey*)>
        <!ELEMENT FixedPrimaryKey (Name, Description?, (Numeric | AlphaNumeric | Date), Map*, FixedRange)>
        <!ELEMENT FixedColumn (Name, Description?, (Numeric | AlphaNumeric | Date), Map*, FixedRange)>
        <!ELEMENT ForeignKey (Name+, References, Alias*)>
        <!ELEMENT Alias (From, To)>
        <!ELEMENT Map (Description?, From, To)>
        <!ELEMENT Numeric ((ImpliedAccuracy | Accuracy)?)>
        <!ELEMENT Date (Format?)>
        <!ELEMENT AlphaNumeric EMPTY>
        <!ELEMENT ANSI EMPTY>
        <!ELEMENT Macintosh EMPTY>
        <!ELEMENT OEM EMPTY>
        <!ELEMENT UTF16 EMPTY>
        <!ELEMENT UTF7 EMPTY>
        <!ELEMENT UTF8 EMPTY>
        <!ELEMENT Version (#PCDATA)>
        <!ELEMENT Location (#PCDATA)>
        <!ELEMENT Comment (#PCDATA)>
        <!ELEMENT Length (#PCDATA)>
        <!ELEMENT References (#PCDATA)>
        <!ELEMENT From (#PCDATA)>
        <!ELEMENT To (#PCDATA)>
        <!ELEMENT AcceptNoTables (#PCDATA)>
        <!ELEMENT MaxLength (#PCDATA)>
        <!ELEMENT TextEncapsulator (#PCDATA)>
        <!ELEMENT Accuracy (#PCDATA)>
        <!ELEMENT ImpliedAccuracy (#PCDATA)>
        <!ELEMENT Format (#PCDATA)>
        <!ELEMENT DecimalSymbol (#PCDATA)>
        <!ELEMENT DigitGroupingSymbol (#PCDATA)>
        <!ELEMENT Command (#PCDATA)>
        <!ELEMENT URL (#PCDATA)>
        <!ELEMENT Description (#PCDATA)>
        <!ELEMENT Name (#PCDATA)>
        <!ELEMENT Epoch (#PCDATA)>
        <!ELEMENT ColumnDelimiter (#PCDATA)>
        <!ELEMENT RecordDelimiter (#PCDATA)>
        <!ELEMENT SkipNumBytes (#PCDATA)>

        """

    /// The grammar, parsed.
    public static let definition: DocumentTypeDefinition = {
        switch DocumentTypeDefinition.parse(Array(bundledDTD.utf8)) {
        case .success(let d): return d
        case .failure(let error): fatalError("the built-in GDPdU grammar does not parse: \(error)")
        }
    }()

    /// Why the DTD file `bytes` is not the DataSet grammar, or nil when it is.
    public static func difference(_ bytes: [UInt8]) -> String? {
        let dtd: DocumentTypeDefinition
        switch DocumentTypeDefinition.parse(bytes) {
        case .success(let d): dtd = d
        case .failure(let error): return "the DTD cannot be read: \(error)"
        }
        for name in definition.order where dtd.elements[name] != definition.elements[name] {
            guard let declared = dtd.elements[name] else { return "the DTD does not declare \(name)" }
            return "the DTD declares \(name) as \(declared), the grammar as \(definition.elements[name]!)"
        }
        if let extra = dtd.order.first(where: { definition.elements[$0] == nil }) { return "the DTD declares \(extra), which the grammar has not" }
        return nil
    }

    /// Validates `index.xml` (bytes) against the grammar: well-formed, the DOCTYPE naming
    /// `DataSet` and the shipped DTD file, valid. The parsed document, and every finding.
    public static func validate(_ bytes: [UInt8]) -> (document: XMLDocument?, findings: [String]) {
        let document: XMLDocument
        switch XMLReader.parseDocument(bytes, maxBytes: 16 << 20, allowDocumentType: true) {
        case .success(let d): document = d
        case .failure(let error): return (nil, ["index.xml is not well-formed: \(error)"])
        }
        var findings: [String] = []
        if let doctype = document.documentType, doctype.systemID != GdpduIndex.dtdFileName {
            findings.append("index.xml: the DOCTYPE points to \(doctype.systemID), not the shipped \(GdpduIndex.dtdFileName)")
        }
        if let encoding = document.declaredEncoding, encoding.uppercased() != "UTF-8" {
            findings.append("index.xml: declared encoding \(encoding), not UTF-8")
        }
        findings += DTDValidator.validate(document, against: definition).map { "index.xml \($0)" }
        return (document, findings)
    }
}
