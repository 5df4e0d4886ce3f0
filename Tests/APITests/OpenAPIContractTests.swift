@testable import API
import Compliance
import ComplianceTesting
import Foundation
import HTTPRouting
import HTTPServer
import JCS
import Postgres
import Testing

/// openapi.yaml against the code (issue 12, item 9): the routes, the members of the records, the
/// problem codes and the version must be the same in both, so the contract cannot drift.
@Suite struct OpenAPIContractTests {
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// openapi.yaml as JSON (PyYAML through python3; Debian's python3-yaml).
    static func contract() throws -> JSONValue {
        let path = root.appendingPathComponent("openapi.yaml").path
        let r = try ProcessRunner.run(["python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path])
        guard r.status == 0 else { throw HarnessError("python3 with yaml could not read openapi.yaml: \(r.stderr) (apt-get install python3-yaml)") }
        return try JSONParser.parse(Array(r.stdout.utf8))
    }

    static func keys(_ v: JSONValue?) -> [String] { v?.members?.map(\.key) ?? [] }

    @Test("info.version is the build's version")
    func version() throws {
        #expect(try Self.contract()["info"]?["version"] == .string(BuildInfo.version))
    }

    @Test("every route is a path and method of the contract, every GET with its HEAD, and nothing else")
    func routes() throws {
        let pool = ConnectionPool(configuration: .init(url: "postgresql://nobody@127.0.0.1:1/x"), size: 1)
        let router = APIServer.makeRouter(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: nil, pool: pool)))
        // The router's `:id` is OpenAPI's `{id}`.
        func path(_ pattern: String) -> String {
            pattern.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        }
        var served = Set(router.registered.map { "\($0.method) \(path($0.pattern))" })
        for route in router.registered where route.method == "GET" { served.insert("HEAD \(path(route.pattern))") }
        var documented = Set<String>()
        for (path, item) in try Self.contract()["paths"]?.members ?? [] {
            for method in Self.keys(item) where ["get", "head", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(served == documented, "only served: \(served.subtracting(documented)); only documented: \(documented.subtracting(served))")
    }

    @Test("BackupEvent has exactly the members of BackupAuditColumn, in order, all required; NewBackupEvent the body members")
    func records() throws {
        let schemas = try Self.contract()["components"]?["schemas"]
        let members = BackupAuditColumn.members.map(\.name)
        #expect(Self.keys(schemas?["BackupEvent"]?["properties"]) == members)
        #expect(Set(schemas?["BackupEvent"]?["required"]?.array?.compactMap(\.string) ?? []) == Set(members))
        let body = BackupAuditColumn.allCases.filter { $0.spec.isBodyMember && $0 != .eventID }.map(\.spec.member)
        #expect(Set(Self.keys(schemas?["NewBackupEvent"]?["properties"])) == Set(body))
        let required = BackupAuditColumn.allCases.filter { if case .body(required: true) = $0.spec.source { true } else { false } }
        #expect(Set(schemas?["NewBackupEvent"]?["required"]?.array?.compactMap(\.string) ?? []) == Set(required.map(\.spec.member)))
    }

    /// The codes the sources can answer with: `code: "…"` of the API's problems, and the reasons
    /// of the HTTP/1.1 core (every snake_case literal of HTTP1's parsers, and those the connection
    /// state machine refuses with; its other literals, such as `stream_failed`, are log words).
    /// The client side (`ResponseParser`, `ResponseHead`: S3's answers) is no server's answer.
    static func codesInSources() throws -> Set<String> {
        var codes = Set<String>()
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        func matches(_ pattern: String, _ text: String) throws -> [String] {
            let regex = try NSRegularExpression(pattern: pattern)
            let ns = text as NSString
            return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
        }
        for file in files {
            let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
            codes.formUnion(try matches(#"code: "([a-z_]+)""#, text))
            if file.hasPrefix("HTTP1/") && !file.hasPrefix("HTTP1/ConnectionStateMachine") && file != "HTTP1/ResponseParser.swift" && file != "HTTP1/ResponseHead.swift" {
                codes.formUnion(try matches(#""([a-z]+(?:_[a-z]+)+)""#, text))
            }
            codes.formUnion(try matches(#"refuse\(\d+, "([a-z_]+)""#, text))
        }
        return codes
    }

    @Test("ProblemCode lists exactly the codes the server can answer with")
    func problemCodes() throws {
        let documented = Set(try Self.contract()["components"]?["schemas"]?["ProblemCode"]?["enum"]?.array?.compactMap(\.string) ?? [])
        let sources = try Self.codesInSources()
        #expect(sources.count > 50)
        #expect(documented == sources, "undocumented: \(sources.subtracting(documented)); not in the code: \(documented.subtracting(sources))")
    }

    @Test("GET /openapi.yaml serves the shipped contract as application/yaml, open like the probes")
    func served() async throws {
        let document = Array(try Data(contentsOf: Self.root.appendingPathComponent("openapi.yaml")))
        let pool = ConnectionPool(configuration: .init(url: "postgresql://nobody@127.0.0.1:1/x"), size: 1)
        for (given, status) in [(document as [UInt8]?, 200), (nil, 404)] {
            let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: nil, pool: pool),
                                                      openAPIDocument: given), corsOrigins: [], accessLog: nil)
            let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
            server.start()
            let r = try await RawHTTPClient.exchangeGET(port: server.port, "/openapi.yaml")
            #expect(r.status == status)
            if status == 200 { #expect(r.body == document && r.header("Content-Type") == "application/yaml") }
            if status == 404 { #expect(r.bodyText.contains("contract_not_installed")) }
            await server.shutdown()
        }
        await pool.close()
    }
}
