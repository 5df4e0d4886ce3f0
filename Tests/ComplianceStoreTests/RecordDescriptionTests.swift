import Chronology
import Compliance
import ComplianceStore
import ComplianceTesting
import Foundation
import Postgres
import Testing

/// `BackupAuditColumn` is the one description of a backup event's fields (issue 12, item 4). These
/// tests fail when a column is added, renamed or retyped in one place only: the migrated table,
/// the SQL chain function, the application role's INSERT grant, and the Swift types.
@Suite(.serialized) struct RecordDescriptionTests {
    let pool: ConnectionPool

    init() async throws {
        pool = try await TestEnvironment.shared.database("record-description").pool(size: 1)
    }

    @Test("the migrated table has exactly the described columns, in order, with their types and nullability")
    func tableMatches() async throws {
        let rows = try await pool.query("""
            SELECT column_name, udt_name, is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = \(BackupAuditColumn.table) ORDER BY ordinal_position
            """)
        let table = try rows.map { "\(try $0.decode(String.self, "column_name")) \(try $0.decode(String.self, "udt_name")) "
            + (try $0.decode(String.self, "is_nullable") == "YES" ? "NULL" : "NOT NULL") }
        let described = BackupAuditColumn.allCases.map { "\($0.spec.column) \($0.spec.type.udtName) \($0.spec.nullable ? "NULL" : "NOT NULL")" }
        #expect(table == described)
    }

    @Test("backup_audit_hash() hashes exactly the chained columns, in table order")
    func chainFunctionMatches() async throws {
        let definition = try await pool.query(
            "SELECT pg_get_functiondef('backup_audit_hash(backup_audit)'::regprocedure) AS d").single().decode(String.self, "d")
        // every `r.<column>` the function reads (deparsed as `(r).<column>`), in order; prev_hash
        // is the prefix, not a field
        let regex = try NSRegularExpression(pattern: #"\br\)?\.([a-z_0-9]+)"#)
        let text = definition as NSString
        let read = regex.matches(in: definition, range: NSRange(location: 0, length: text.length)).map { text.substring(with: $0.range(at: 1)) }
        #expect(read.first == "prev_hash")
        #expect(Array(read.dropFirst()) == BackupAuditColumn.allCases.filter(\.spec.chained).map(\.spec.column))
    }

    @Test("the application role may INSERT exactly the written columns")
    func insertGrantMatches() async throws {
        let rows = try await pool.query("""
            SELECT column_name FROM information_schema.column_privileges
            WHERE table_name = \(BackupAuditColumn.table) AND grantee = 'immoflow_app' AND privilege_type = 'INSERT'
            """)
        let granted = Set(try rows.map { try $0.decode(String.self, "column_name") })
        #expect(granted == Set(BackupAuditColumn.allCases.filter(\.spec.isWritten).map(\.spec.column)))
    }

    @Test("BackupEvent holds one property per column, NewBackupEvent one per written column, each mapped")
    func swiftTypesMatch() throws {
        var values = RecordValues<BackupAuditColumn>()
        for (i, column) in BackupAuditColumn.allCases.enumerated() {
            switch column.spec.type {
            case .bigint, .smallint, .integer: values[column] = .integer(Int64(i + 1))
            case .uuid: values[column] = .text(String(format: "00000000-0000-4000-8000-%012d", i))
            case .text: values[column] = .text("v\(i)")
            case .jsonObjectText: values[column] = .text(#"{"i":\#(i)}"#)
            case .timestamptz: values[column] = .time(Timestamp(microsecondsSinceEpoch: Int64(i) * 1_000_000))
            case .bytea: values[column] = .bytes([UInt8](repeating: UInt8(i), count: 32))
            }
        }
        values[.eventType] = .text("check")
        values[.status] = .text("failed")
        let event = try BackupEvent(values: values)
        // every value read back by column is the value given: no column is dropped or swapped
        for column in BackupAuditColumn.allCases { #expect(event.value(column) == values[column], "\(column)") }
        // and the struct has no property beyond the columns (an unmapped one would stay at its default)
        let properties = Mirror(reflecting: event).children
        #expect(properties.count == BackupAuditColumn.allCases.count)
        #expect(properties.allSatisfy { child in !(String(describing: child.value) == "nil") }, "a property no column sets")

        let new = try NewBackupEvent(values: values)
        let written = BackupAuditColumn.allCases.filter(\.spec.isWritten)
        for column in written { #expect(new.value(column) == values[column], "\(column)") }
        for column in BackupAuditColumn.allCases where !column.spec.isWritten { #expect(new.value(column) == .null) }
        #expect(Mirror(reflecting: new).children.count == written.count)
    }

    @Test("an event written through the generated INSERT reads back through the generated SELECT unchanged")
    func roundTrip() async throws {
        let new = NewBackupEvent(eventID: UUID().uuidString.lowercased(), runID: UUID().uuidString.lowercased(), type: .backupFull,
                                 status: .completedWithErrors, occurredAt: Timestamp(rfc3339: "2026-11-26T00:41:07.5Z"), stanza: "prod",
                                 repo: 256, label: "20261126-003012F", startedAt: Timestamp(rfc3339: "0001-01-01T00:00:00Z"),
                                 finishedAt: Timestamp(rfc3339: "9999-12-31T23:59:59.999999Z"), sizeBytes: .max, deltaBytes: 0,
                                 repoSizeBytes: 1, repoDeltaBytes: 2, walStart: "000000010000000000000004", walStop: "00000001000000000000000A",
                                 lsnStart: "0/4000028", lsnStop: "FFFFFFFF/FFFFFFFF", exitCode: 255, errorMessage: "e\u{1b}[31m\r\n=x",
                                 host: "h", details: #"{"k":[1,"ü"]}"#, idempotencyKey: "api:rt", requestSHA256: Array(repeating: 7, count: 32))
        let stored = try await pool.withConnection { try await BackupAuditStore().append(new, on: $0) }
        for column in BackupAuditColumn.allCases where column.spec.isWritten {
            #expect(stored.value(column) == new.value(column), "\(column)")
        }
    }
}
