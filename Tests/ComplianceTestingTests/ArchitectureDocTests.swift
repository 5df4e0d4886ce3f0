import Foundation
import Testing

/// docs/architecture.md's module map against Package.swift (issue 12: the map omitted modules
/// and dependencies): every target but the tests, with exactly its dependencies.
@Suite struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `name → dependencies` of every non-test target in Package.swift (a small reader for the
    /// file's own style: `.target(name: "X", dependencies: [...])`, products by their name).
    static func targets() throws -> [String: Set<String>] {
        let text = Array(try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8).utf8)
        var result: [String: Set<String>] = [:]
        let kinds = [".target(", ".executableTarget(", ".systemLibrary("].map { Array($0.utf8) }
        var i = 0
        while i < text.count {
            guard let kind = kinds.first(where: { i + $0.count <= text.count && Array(text[i..<(i + $0.count)]) == $0 }) else {
                i += 1
                continue
            }
            // the call's text up to its balanced closing parenthesis
            var depth = 0, j = i + kind.count - 1
            repeat {
                if text[j] == UInt8(ascii: "(") { depth += 1 } else if text[j] == UInt8(ascii: ")") { depth -= 1 }
                j += 1
            } while depth > 0 && j < text.count
            let call = String(decoding: text[i..<j], as: UTF8.self)
            i = j
            guard let name = Self.first(#"name: "([^"]+)""#, in: call) else { continue }
            var deps = Set<String>()
            if let list = call.range(of: "dependencies: [") {
                var depth = 1
                var k = list.upperBound
                while depth > 0, k < call.endIndex {
                    if call[k] == "[" { depth += 1 } else if call[k] == "]" { depth -= 1 }
                    k = call.index(after: k)
                }
                let body = String(call[list.upperBound..<k])
                // products first (`.product(name: "Logging", …)`), then the plain names
                for product in Self.all(#"\.product\(name: "([^"]+)""#, in: body) { deps.insert(product) }
                let withoutProducts = body.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
                for target in Self.all(#""([^"]+)""#, in: withoutProducts) { deps.insert(target) }
            }
            result[name] = deps
        }
        return result
    }

    static func all(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    static func first(_ pattern: String, in text: String) -> String? { all(pattern, in: text).first }

    /// The map's rows: `| `Module` | `Dep`, `Dep`, Product (package) | what |`.
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var rows: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let deps = cells[2] == "—" ? [] : cells[2].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " (package)", with: "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
            rows[name] = Set(deps)
        }
        return rows
    }

    @Test("every non-test target is in the map with exactly its dependencies, and nothing else is")
    func moduleMap() throws {
        let package = try Self.targets()
        let map = try Self.documented()
        #expect(package.count > 20)
        #expect(Set(package.keys) == Set(map.keys), "only in Package.swift: \(Set(package.keys).subtracting(map.keys)); only in the map: \(Set(map.keys).subtracting(package.keys))")
        for (name, deps) in package where map[name] != nil {
            #expect(map[name] == deps, "\(name): Package.swift \(deps.sorted()), map \(map[name]!.sorted())")
        }
    }
}
