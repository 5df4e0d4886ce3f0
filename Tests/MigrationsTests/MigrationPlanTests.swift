import Migrations
import Testing

/// File naming and planning, without a database.
@Suite struct MigrationPlanTests {
    static func file(_ name: String, _ sql: String = "SELECT 1;") throws -> MigrationFile {
        try MigrationFile(fileName: name, contents: Array(sql.utf8))
    }

    @Test("valid names", arguments: [("0001_core.sql", 1, "core"), ("0042_add_index_2.sql", 42, "add_index_2"), ("12345_x.sql", 12345, "x")])
    func validNames(name: String, version: Int, label: String) throws {
        let f = try Self.file(name)
        #expect(f.version == version && f.name == label)
        #expect(f.checksum.count == 64)
    }

    @Test("invalid names are refused", arguments: ["001_core.sql", "0001-core.sql", "0001_.sql", "0001_Core.sql", "0000_zero.sql", "abcd_x.sql", "0001_core.SQL", "0001_co re.sql"])
    func invalidNames(name: String) {
        let error = #expect(throws: MigrationError.self) { try Self.file(name) }
        #expect(error?.code == .invalidFileName)
    }

    @Test func invalidUTF8IsRefused() {
        let error = #expect(throws: MigrationError.self) { try MigrationFile(fileName: "0001_a.sql", contents: [0xff, 0xfe]) }
        #expect(error?.code == .invalidEncoding)
    }

    @Test func duplicateVersions() throws {
        let error = #expect(throws: MigrationError.self) {
            try MigrationCatalog(files: [try Self.file("0001_a.sql"), try Self.file("0001_b.sql")])
        }
        #expect(error?.code == .duplicateVersion)
    }

    @Test("pending files in version order; applied ones skipped")
    func pending() throws {
        let catalog = try MigrationCatalog(files: [try Self.file("0003_c.sql"), try Self.file("0001_a.sql"), try Self.file("0002_b.sql")])
        let applied = [MigrationPlan.Applied(version: 1, checksum: catalog.files[0].checksum)]
        let plan = try MigrationPlan(applied: applied, catalog: catalog)
        #expect(plan.pending.map(\.fileName) == ["0002_b.sql", "0003_c.sql"])
    }

    @Test("an edited applied file is refused")
    func checksumMismatch() throws {
        let catalog = try MigrationCatalog(files: [try Self.file("0001_a.sql", "SELECT 2;")])
        let original = try Self.file("0001_a.sql", "SELECT 1;")
        let error = #expect(throws: MigrationError.self) {
            try MigrationPlan(applied: [.init(version: 1, checksum: original.checksum)], catalog: catalog)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.description.contains("0001_a.sql") == true)
    }

    @Test("a database ahead of this build is refused")
    func unknownVersion() throws {
        let catalog = try MigrationCatalog(files: [try Self.file("0001_a.sql")])
        let error = #expect(throws: MigrationError.self) {
            try MigrationPlan(applied: [.init(version: 1, checksum: catalog.files[0].checksum),
                                        .init(version: 9, checksum: String(repeating: "0", count: 64))], catalog: catalog)
        }
        #expect(error?.code == .unknownAppliedVersion)
    }
}
