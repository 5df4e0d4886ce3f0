import Chronology
import Foundation
import PgBackRest
import Testing

/// Decoding `pgbackrest info --output=json` (docs/pgbackrest.md §4), from the verified 2.45 samples.
@Suite struct PgBackRestInfoTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    @Test func sample() throws {
        let info = try PgBackRestInfo(json: Self.fixture("pgbackrest-info.sample"))
        let stanza = try #require(info.stanzas.first)
        #expect(stanza.name == "demo" && stanza.isHealthy && stanza.backups.count == 2)
        let full = stanza.backups[0]
        #expect(full.label == "20261126-135752F" && full.type == "full")
        #expect(full.stop == Timestamp(secondsSinceEpoch: 1_795_701_476) && full.size == 36_845_299)
        #expect(stanza.backups[1].stop == Timestamp(secondsSinceEpoch: 1_795_701_488) && stanza.backups[1].size == 38_270_707)
        #expect(stanza.backups[1].repoSize == 8_640_656 && stanza.backups[1].repoDelta == 5_855_552)
        #expect(full.walStart == "000000010000000000000004" && full.lsnStop == "0/4000100" && full.repoKey == 1)
    }

    @Test("system-id beyond 2^53 stays exact (G13)")
    func systemID() throws {
        let info = try PgBackRestInfo(json: Self.fixture("pgbackrest-info-extended.sample"))
        #expect(info.stanzas[0].systemIDs == [7_712_479_056_685_684_044])
    }

    @Test func annotationsAndErrorFlag() throws {
        let stanza = try PgBackRestInfo(json: Self.fixture("pgbackrest-info-extended.sample")).stanzas[0]
        #expect(stanza.backup(annotatedWith: "42")?.label == "20261126-135752F_20261126-140001I")
        #expect(stanza.backup(annotatedWith: "42")?.annotations["trigger"] == "scheduled")
        let flagged = try #require(stanza.backup(annotatedWith: "43"))
        #expect(flagged.error && flagged.label == "20261126-135752F_20261126-140120I")
        #expect(stanza.backup(annotatedWith: "44") == nil)
    }

    @Test("a wrong cipher pass: exit 0, status 99, raw bytes and control characters in the message")
    func wrongCipherPass() throws {
        let bytes: [UInt8] = Array(#"[{"archive":[],"backup":[],"cipher":"aes-256-cbc","db":[],"name":"demo","repo":[{"cipher":"aes-256-cbc","key":1,"status":{"code":99,"message":"[FormatError] unable to load info file '/r/backup/demo/backup.info' or '/r/backup/demo/backup.info.copy':\nFormatError: key/value found outside of section at line 1: "#.utf8)
            + [0x8F, 0xC3, 0x01, 0x7F, 0x1B] + Array(#""}}],"status":{"code":99,"lock":{"backup":{"held":false}},"message":"other"}}]"#.utf8)
        let info = try PgBackRestInfo(json: bytes)
        #expect(info.stanzas[0].status.code == 99 && !info.stanzas[0].isHealthy)
        #expect(info.stanzas[0].repos[0].status.message.contains("\u{FFFD}"))
    }

    @Test("not JSON, or not stanzas: an error, never a guess", arguments: [
        "", "WARN: something\n[]", "{}", "[{\"backup\":[]}]", "[{\"name\":\"x\",\"backup\":[{\"type\":\"full\"}]}]",
    ])
    func refused(text: String) {
        #expect(throws: InfoDecodingError.self) { try PgBackRestInfo(json: Array(text.utf8)) }
    }

    @Test func missingStatusIsUnhealthy() throws {
        let info = try PgBackRestInfo(json: Array(#"[{"name":"x","backup":[]}]"#.utf8))
        #expect(info.stanzas[0].status.code == 99 && !info.stanzas[0].isHealthy)
    }
}
