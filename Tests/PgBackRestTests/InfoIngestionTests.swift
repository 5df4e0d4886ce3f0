import Compliance
import PgBackRest
import Testing

/// Backfilling from info (pure part).
@Suite struct InfoIngestionTests {
    @Test func backfillsWhatIsMissingOnly() throws {
        let info = try PgBackRestInfo(json: try PgBackRestInfoTests.fixture("pgbackrest-info-extended.sample"))
        let all = InfoIngestion.plan(info, stanza: nil, recorded: [])
        #expect(all.listed == 6 && all.events.count == 6 && all.alreadyRecorded == 0 && all.unhealthy.isEmpty)
        #expect(all.events.map(\.type) == [.backupFull, .backupDiff, .backupIncr, .backupIncr, .backupIncr, .backupIncr])
        #expect(all.events.last?.status == .completedWithErrors)
        #expect(all.events.first?.idempotencyKey == "pgbackrest-info:demo:20261126-135752F")
        let some = InfoIngestion.plan(info, stanza: "demo", recorded: ["demo\u{0}20261126-135752F", "demo\u{0}20261126-135752F_20261126-135806D"])
        #expect(some.events.count == 4 && some.alreadyRecorded == 2)
        #expect(InfoIngestion.plan(info, stanza: "other", recorded: []).listed == 0)
    }

    @Test func unhealthyStanzasAreNotIngested() throws {
        let info = try PgBackRestInfo(json: Array(#"[{"name":"demo","status":{"code":99,"message":"other"},"repo":[{"key":1,"status":{"code":99,"message":"[FormatError] x"}}],"backup":[{"label":"L","type":"full","timestamp":{"start":1,"stop":2}}]}]"#.utf8))
        let plan = InfoIngestion.plan(info, stanza: nil, recorded: [])
        #expect(plan.events.isEmpty && plan.unhealthy.count == 1 && plan.unhealthy[0].contains("repo1 99"))
    }
}
