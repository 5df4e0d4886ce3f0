/// Validates a document against the element declarations of a DTD (XML 1.0 §3 "Logical
/// Structures", validity constraints "Root Element Type", "Element Valid" and — the DTD
/// declaring none — "Attribute Value Type"): the DOCTYPE names the root; every element is
/// declared; `EMPTY` elements have no content; element content has only white space between the
/// children, which match the model in order; mixed content has only the named children; no
/// attribute appears. Every violation is a finding with the element's path; nothing stops at the
/// first.
public enum DTDValidator {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let message: String

        public var description: String { "\(path): \(message)" }
    }

    public static func validate(_ document: XMLDocument, against dtd: DocumentTypeDefinition) -> [Finding] {
        var findings: [Finding] = []
        let root = document.root
        if let doctype = document.documentType {
            if doctype.rootName != root.qualifiedName {
                findings.append(Finding(path: "/", message: "the DOCTYPE names \(doctype.rootName), the root element is \(root.qualifiedName)"))
            }
        } else {
            findings.append(Finding(path: "/", message: "no DOCTYPE: the document does not say which grammar it follows"))
        }
        check(root, path: "/" + root.qualifiedName, dtd, &findings)
        return findings
    }

    static func check(_ element: XMLElement, path: String, _ dtd: DocumentTypeDefinition, _ findings: inout [Finding]) {
        for a in element.attributes {
            findings.append(Finding(path: path, message: "attribute \(a.name) is not declared"))
        }
        let names = element.children.map(\.qualifiedName)
        let hasText = element.text.utf8.contains { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        switch dtd.elements[element.qualifiedName] {
        case nil:
            findings.append(Finding(path: path, message: "element \(element.qualifiedName) is not declared"))
        case .empty?:
            if !names.isEmpty || !element.text.isEmpty { findings.append(Finding(path: path, message: "declared EMPTY, but has content")) }
        case .any?:
            break
        case .mixed(let allowed)?:
            for n in Set(names) where !allowed.contains(n) {
                findings.append(Finding(path: path, message: "element \(n) is not allowed here (text only)"))
            }
        case .children(let model)?:
            if hasText { findings.append(Finding(path: path, message: "text where only elements are allowed")) }
            if !model.matches(names) {
                findings.append(Finding(path: path, message: "the content (\(names.joined(separator: ","))) does not match \(model)\(hint(model, names))"))
            }
        }
        var counts: [String: Int] = [:]
        for child in element.children {
            counts[child.qualifiedName, default: 0] += 1
            check(child, path: path + "/" + child.qualifiedName + "[\(counts[child.qualifiedName]!)]", dtd, &findings)
        }
    }

    /// Where the content first goes wrong and what could have come there.
    static func hint(_ model: ContentModel, _ names: [String]) -> String {
        var state = model
        for (i, n) in names.enumerated() {
            let next = state.derivative(n)
            if next == .nothing {
                let expected = state.firstNames.sorted()
                return "; at child \(i + 1) (\(n)) expected " + (expected.isEmpty ? "the end" : expected.joined(separator: " or "))
            }
            state = next
        }
        let expected = state.firstNames.sorted()
        return "; it ends where " + expected.joined(separator: " or ") + " is required"
    }
}
