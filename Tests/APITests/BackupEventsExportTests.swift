@testable import API
import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Crypto
import Foundation
import HTTPServer
import JCS
import Postgres
import Testing

/// What an auditor gets from `GET /api/compliance/backup-events`: CSV that parses back into one
/// row per event with formula starts and control characters neutralised (issue 12 C), and JSON
/// with every hashed field, from which the whole backup-audit-v1 chain can be recomputed (item 9).
@Suite(.serialized) struct BackupEventsExportTests {
    static let hasher = TokenHasher(pepper: Array("a test pepper that is long enough!!".utf8))!
    static let nasty = ["line1\r\nline2", "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)",
                        "\tlead", "\u{1b}[2J\u{07}bell", "comma, and \"quote\"", "csi\u{9b}31m"]

    func server(_ pool: ConnectionPool) throws -> HTTPServer {
        let app = APIServer.makeApplication(.init(readinessPool: pool, pool: pool, authenticator: Authenticator(hasher: Self.hasher, pool: pool)),
                                            corsOrigins: [], accessLog: nil)
        let server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app)
        server.start()
        return server
    }

    func seeded() async throws -> (ConnectionPool, String) {
        let pool = try await TestEnvironment.shared.database("backup-events-export").pool(size: 2)
        let count = try await pool.query("SELECT count(*) AS n FROM backup_audit").single().decode(Int.self, "n")
        if count == 0 {
            try await pool.withConnection { c in
                for (i, text) in Self.nasty.enumerated() {
                    _ = try await BackupAuditStore().append(NewBackupEvent(
                        type: .backupDiff, status: .failed, occurredAt: Timestamp(secondsSinceEpoch: 1_795_000_000 + Int64(i)),
                        stanza: "prod", label: "L\(i)", exitCode: 29, errorMessage: text, host: text, details: #"{"note":"\#(i)"}"#,
                        idempotencyKey: i % 2 == 0 ? "api:key-\(i)" : nil, requestSHA256: i % 2 == 0 ? SHA256.hash(Array(text.utf8)) : nil),
                        on: c)
                }
            }
        }
        let token = try await pool.withConnection {
            try await TokenStore(hasher: Self.hasher).create(name: "export-\(UUID().uuidString.prefix(8))", role: .viewer,
                                                            organization: nil, expiresAt: nil, on: $0).token
        }
        return (pool, token)
    }

    @Test("CSV: every event is one row after RFC 4180 parsing, every member a column, formulas and controls neutralised")
    func csv() async throws {
        let (pool, token) = try await seeded()
        let server = try server(pool)
        let r = try await RawHTTPClient.exchangeGET(port: server.port, "/api/compliance/backup-events?limit=500",
                                                    headers: "Authorization: Bearer \(token)\r\nAccept: text/csv\r\n")
        #expect(r.status == 200 && r.header("Content-Type") == "text/csv; charset=utf-8")
        let rows = try CSVReader.parse(r.body)
        #expect(rows.first == BackupAuditColumn.members.map(\.name))
        #expect(rows.count == Self.nasty.count + 1)
        let errorColumn = try #require(rows.first?.firstIndex(of: "error"))
        for row in rows.dropFirst() {
            #expect(row.count == rows[0].count)
            let cell = row[errorColumn]
            #expect(!cell.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\r" && $0 != "\n" }, "\(cell)")
            #expect(!cell.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) }, "\(cell)")
            if let first = cell.first { #expect(!"=+-@\t\r".contains(first), "formula start: \(cell)") }
        }
        #expect(rows.dropFirst().contains { $0[errorColumn] == "line1\r\nline2" })
        #expect(rows.dropFirst().contains { $0[errorColumn] == "'=HYPERLINK(\"http://evil.example\",\"click\")" })
        await server.shutdown()
        await pool.close()
    }

    @Test("JSON: every hashed field is exposed; the chain recomputed from the API's items matches every hash")
    func chainFromJSON() async throws {
        let (pool, token) = try await seeded()
        let server = try server(pool)
        let r = try await RawHTTPClient.exchangeGET(port: server.port, "/api/compliance/backup-events?limit=500",
                                                    headers: "Authorization: Bearer \(token)\r\n")
        let items = try #require(try JSONParser.parse(r.body)["items"]?.array)
        #expect(items.count == Self.nasty.count)
        var events: [BackupEvent] = []
        for item in items {
            var values = RecordValues<BackupAuditColumn>()
            for column in BackupAuditColumn.allCases {
                let member = try #require(item[column.spec.member], "\(column.spec.member) is not exposed")
                switch (member, column.spec.type) {
                case (.null, _): values[column] = .null
                case (.integer(let i), _): values[column] = .integer(i)
                case (.string(let s), .timestamptz): values[column] = .time(try #require(Timestamp(rfc3339: s)))
                case (.string(let s), .bytea): values[column] = .bytes(try #require(Hex.decode(s)))
                case (.string(let s), _): values[column] = .text(s)
                case (let object, .jsonObjectText): values[column] = .text(object.canonical.text)
                default: Issue.record("unexpected \(member) for \(column)")
                }
            }
            events.append(try BackupEvent(values: values))
        }
        var previous = AuditChain.genesis
        for event in events.sorted(by: { $0.seq < $1.seq }) {
            #expect(event.prevHash == previous)
            #expect(BackupAuditChain.hash(of: event, previousHash: previous) == event.hash, "seq \(event.seq)")
            previous = event.hash
        }
        #expect(events.contains { $0.idempotencyKey != nil && $0.requestSHA256 != nil })
        await server.shutdown()
        await pool.close()
    }
}
