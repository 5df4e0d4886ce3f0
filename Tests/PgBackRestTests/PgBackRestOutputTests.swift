import PgBackRest
import Testing

/// Reading pgBackRest's console output (docs/pgbackrest.md §5).
@Suite struct PgBackRestOutputTests {
    @Test func lastErrorLineWins() {
        let o = PgBackRestOutput("""
            2026-11-26 13:57:52.100 P00   INFO: backup command begin 2.45: --stanza=demo --type=full
            ERROR: [082]: WAL segment 000000010000000000000003 was not archived before the 60000ms timeout
                   HINT: check the archive_command to ensure that all options are correct
            2026-11-26 13:58:52.200 P00  ERROR: [050]: unable to acquire lock on file '/l/demo-backup.lock': Resource temporarily unavailable
            2026-11-26 13:58:52.201 P00   INFO: backup command end: aborted with exception [050]
            """)
        #expect(o.lastErrorCode == 50)
        #expect(o.lastError == "ERROR: [050]: unable to acquire lock on file '/l/demo-backup.lock': Resource temporarily unavailable")
        #expect(!o.pageChecksumWarning && o.newBackupLabel == nil)
    }

    @Test func labelAndChecksumWarning() {
        let o = PgBackRestOutput("""
            P00   WARN: invalid page checksum found in file /d/base/5/16407 at page 3
            P00   INFO: new backup label = 20261126-135752F_20261126-140120I
            """)
        #expect(o.pageChecksumWarning && o.newBackupLabel == "20261126-135752F_20261126-140120I" && o.lastError == nil)
    }

    @Test func notAnErrorLine() {
        #expect(PgBackRestOutput("ERROR: [abc]: nope\nERROR: plain").lastError == nil)
    }
}
