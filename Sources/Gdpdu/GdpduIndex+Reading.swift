import Chronology
import XML

extension GdpduIndex {
    /// Reads a `DataSet` (already valid against the grammar) back into tables, with a finding for
    /// everything outside the conventions this exporter writes and its verifier reads
    /// (docs/gobd-bao-export.md §4, §6 items 3, 4 and 7): relative URLs inside the package,
    /// `UTF8`, `,` and `.`, the header skipped by `Range From 2`, `;` / CR LF / `"`, every
    /// AlphaNumeric column with a `MaxLength`, dates `DD.MM.YYYY`, foreign keys to tables declared
    /// before, of the referenced key's width and datatypes. Tables that cannot be read are left out.
    public static func read(_ root: XMLElement) -> (index: GdpduIndex, findings: [String]) {
        var findings: [String] = []
        var tables: [GdpduTable] = []
        let media = root.children("Media")
        if media.count != 1 { findings.append("index.xml: \(media.count) Media elements, the package is one") }
        for table in media.first?.children("Table") ?? [] {
            let (read, problems) = readTable(table)
            findings += problems
            if let read { tables.append(read) }
        }
        // §6 item 7: a foreign key references a table declared before it, by its Name, with the
        // referenced primary key's width and datatypes.
        for (i, table) in tables.enumerated() {
            for fk in table.foreignKeys {
                guard let target = tables[..<i].first(where: { $0.name == fk.references }) else {
                    findings.append("\(table.url): foreign key (\(fk.columns.joined(separator: ","))) references \(fk.references), which is not declared before it")
                    continue
                }
                guard fk.columns.count == target.primaryKey.count else {
                    findings.append("\(table.url): foreign key (\(fk.columns.joined(separator: ","))) has \(fk.columns.count) columns, the primary key of \(target.name) \(target.primaryKey.count)")
                    continue
                }
                for (name, key) in zip(fk.columns, target.primaryKey) {
                    guard let column = table.allColumns.first(where: { $0.name == name }) else {
                        findings.append("\(table.url): foreign key column \(name) is not a column of the table")
                        continue
                    }
                    if !sameType(column.kind, key.kind) {
                        findings.append("\(table.url): foreign key column \(name) is \(typeName(column.kind)), \(target.name).\(key.name) is \(typeName(key.kind))")
                    }
                }
            }
        }
        let supplier = root.child("DataSupplier")
        var index = GdpduIndex(supplierName: supplier?.value("Name") ?? "", supplierLocation: supplier?.value("Location") ?? "",
                               supplierComment: supplier?.value("Comment") ?? "", mediaName: media.first?.value("Name") ?? "", tables: tables,
                               extensions: root.children("Extension").map { Extension(name: $0.value("Name") ?? "", url: $0.value("URL") ?? "") })
        index.version = root.value("Version") ?? ""
        return (index, findings)
    }

    static func readTable(_ t: XMLElement) -> (GdpduTable?, [String]) {
        let url = t.value("URL") ?? ""
        var findings: [String] = []
        if let problem = urlProblem(url) { findings.append("index.xml: Table URL \"\(url)\" \(problem)") }
        let name = t.value("Name") ?? url
        func convention(_ ok: Bool, _ what: String) {
            if !ok { findings.append("\(url): \(what)") }
        }
        convention(t.child("UTF8") != nil, "not declared UTF8 (the conventions: UTF-8 without BOM, <UTF8/> on every table)")
        convention(t.value("DecimalSymbol") == ",", "DecimalSymbol is not ','")
        convention(t.value("DigitGroupingSymbol") == ".", "DigitGroupingSymbol is not '.'")
        let range = t.child("Range")
        convention(range?.value("From") == "2" && range?.child("To") == nil && range?.child("Length") == nil,
                   "no <Range><From>2</From></Range> skipping the header line")
        convention(t.child("SkipNumBytes") == nil && t.child("Epoch") == nil, "SkipNumBytes or Epoch declared")
        var validity: (from: CalendarDate, to: CalendarDate)?
        if let v = t.child("Validity") {
            let format = v.value("Format") ?? "DD.MM.YYYY"
            if format == "DD.MM.YYYY", let from = v.child("Range")?.value("From").flatMap(date), let to = v.child("Range")?.value("To").flatMap(date) {
                validity = (from, to)
            } else {
                findings.append("\(url): Validity is not a range of two DD.MM.YYYY dates")
            }
        }
        guard let layout = t.child("VariableLength") else {
            findings.append("\(url): not VariableLength (fixed-length files are not what this package format uses)")
            return (nil, findings)
        }
        convention((layout.value("ColumnDelimiter") ?? ";") == ";", "ColumnDelimiter is not ';'")
        convention((layout.value("RecordDelimiter") ?? "\r\n") == "\r\n", "RecordDelimiter is not CR LF")
        convention((layout.value("TextEncapsulator") ?? "\"") == "\"", "TextEncapsulator is not '\"'")
        var primaryKey: [GdpduColumn] = [], columns: [GdpduColumn] = []
        for c in layout.children where c.name == "VariablePrimaryKey" || c.name == "VariableColumn" {
            let (column, problem) = readColumn(c)
            if let problem { findings.append("\(url): column \(column.name): \(problem)") }
            if c.name == "VariablePrimaryKey" { primaryKey.append(column) } else { columns.append(column) }
        }
        let foreignKeys = layout.children("ForeignKey").map { GdpduTable.ForeignKey($0.children("Name").map(\.text), references: $0.value("References") ?? "") }
        if layout.children("ForeignKey").contains(where: { !$0.children("Alias").isEmpty }) {
            findings.append("\(url): a foreign key with Alias (the verifier joins by position and name only)")
        }
        return (GdpduTable(url: url, name: name, description: t.value("Description") ?? "", validity: validity,
                           primaryKey: primaryKey, columns: columns, foreignKeys: foreignKeys), findings)
    }

    static func readColumn(_ c: XMLElement) -> (GdpduColumn, String?) {
        let name = c.value("Name") ?? ""
        let description = c.value("Description")
        if let numeric = c.child("Numeric") {
            if numeric.child("ImpliedAccuracy") != nil { return (GdpduColumn(name, .numeric(accuracy: 0), description: description), "ImpliedAccuracy is not read") }
            guard let text = numeric.value("Accuracy") else { return (GdpduColumn(name, .numeric(accuracy: 0), description: description), nil) }
            guard let accuracy = Int(text), (0...18).contains(accuracy) else {
                return (GdpduColumn(name, .numeric(accuracy: 0), description: description), "Accuracy \(text) is not a number of decimals")
            }
            return (GdpduColumn(name, .numeric(accuracy: accuracy), description: description), nil)
        }
        if let d = c.child("Date") {
            let format = d.value("Format") ?? "DD.MM.YYYY"
            return (GdpduColumn(name, .date, description: description), format == "DD.MM.YYYY" ? nil : "date format \(format), not DD.MM.YYYY")
        }
        let maps = c.children("Map")
        let maxLength = c.value("MaxLength").flatMap { Int($0) }
        if maps.count == 1, maps[0].value("From") == "HH:MM:SS", maps[0].value("To") == "HH:MM:SS" {
            return (GdpduColumn(name, .time, description: description), maxLength == 8 ? nil : "a time column without MaxLength 8")
        }
        guard let maxLength, maxLength > 0 else {
            return (GdpduColumn(name, .alphaNumeric(maxLength: Int.max), description: description),
                    "AlphaNumeric without a MaxLength (the importer would size the column itself)")
        }
        return (GdpduColumn(name, .alphaNumeric(maxLength: maxLength), description: description), maps.isEmpty ? nil : "a Map that is not the time mask")
    }

    /// Why a Table URL is not a plain relative file inside the package (§3.3: relative only), or nil.
    static func urlProblem(_ url: String) -> String? {
        if url.isEmpty { return "is empty" }
        if url.contains(":") { return "is not relative (only plain file names inside the package)" }
        if url.hasPrefix("/") || url.contains("\\") { return "is not relative" }
        if url.split(separator: "/").contains("..") { return "leaves the package" }
        if url.contains("/") { return "is not in the package root" }
        return nil
    }

    static func date(_ text: String) -> CalendarDate? { GdpduField.parseDate(Array(text.utf8)) }

    static func sameType(_ a: GdpduColumn.Kind, _ b: GdpduColumn.Kind) -> Bool {
        switch (a, b) {
        case (.numeric(let x), .numeric(let y)): x == y
        case (.alphaNumeric, .alphaNumeric), (.date, .date), (.time, .time): true
        default: false
        }
    }

    static func typeName(_ k: GdpduColumn.Kind) -> String {
        switch k {
        case .numeric(let a): a == 0 ? "Numeric" : "Numeric with \(a) decimals"
        case .alphaNumeric: "AlphaNumeric"
        case .date: "Date"
        case .time: "a time"
        }
    }
}
