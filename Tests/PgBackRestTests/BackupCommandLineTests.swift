import PgBackRest
import Testing

/// Rewriting the wrapped command line.
@Suite struct BackupCommandLineTests {
    @Test func annotationGoesRightAfterTheExecutable() {
        let line = BackupCommandLine(["runuser", "-u", "postgres", "--", "/usr/bin/pgbackrest", "--stanza=main", "--type=full", "backup"])
        #expect(line.annotated(eventID: "e1") == ["runuser", "-u", "postgres", "--", "/usr/bin/pgbackrest",
                                                  "--annotation=audit_event_id=e1", "--stanza=main", "--type=full", "backup"])
        #expect(line.option("stanza") == "main" && line.option("type") == "full" && line.option("repo") == nil)
    }

    @Test func infoCarriesUserAndConfigOnly() {
        let line = BackupCommandLine(["sudo", "-u", "postgres", "pgbackrest", "--config", "/etc/pb.conf", "--stanza=main",
                                      "--type=diff", "--start-fast", "backup"])
        #expect(line.infoCommand(stanza: "main", repo: 2) == ["sudo", "-u", "postgres", "pgbackrest", "--config=/etc/pb.conf",
                                                              "--stanza=main", "--repo=2", "--output=json", "--log-level-console=off", "info"])
    }

    @Test func withoutPgBackRestNothingIsRewritten() {
        let line = BackupCommandLine(["/opt/copy-offsite.sh", "--stanza=x"])
        #expect(line.annotated(eventID: "e") == ["/opt/copy-offsite.sh", "--stanza=x"])
        #expect(line.infoCommand(stanza: "x", repo: nil) == nil && line.option("stanza") == nil)
    }
}
