import Redaction
import Testing

/// Every form a secret takes in a wrapped command or an error line (issue 12, item B).
@Suite struct SecretRedactionTests {
    @Test("free text: each form is redacted, the rest kept", arguments: [
        // URLs with a password
        ("postgresql://app:PW@db:5432/immo", "postgresql://app:<redacted>@db:5432/immo"),
        ("s3://key:PW@bucket/x and https://u:PW@h?password=PW", "s3://key:<redacted>@bucket/x and https://u:<redacted>@h?password=<redacted>"),
        ("postgresql://app:p@ss@db/x", "postgresql://app:<redacted>@db/x"),
        // KEY=VALUE and libpq keywords
        ("PGPASSWORD=PW pgbackrest backup", "PGPASSWORD=<redacted> pgbackrest backup"),
        ("AWS_SECRET_ACCESS_KEY=PW", "AWS_SECRET_ACCESS_KEY=<redacted>"),
        ("host=db password=PW user=app", "host=db password=<redacted> user=app"),
        // options, = and space forms, quoted values
        ("pgbackrest --repo1-cipher-pass=PW --stanza=main backup", "pgbackrest --repo1-cipher-pass=<redacted> --stanza=main backup"),
        ("--repo1-s3-key PW --repo1-s3-key-secret=PW", "--repo1-s3-key <redacted> --repo1-s3-key-secret=<redacted>"),
        ("--repo1-cipher-pass=\"a b c\" x", "--repo1-cipher-pass=\"<redacted>\" x"),
        ("sh -c 'PGPASSWORD=PW pgbackrest --repo1-cipher-pass=PW2 backup'",
         "sh -c 'PGPASSWORD=<redacted> pgbackrest --repo1-cipher-pass=<redacted> backup'"),
        // JSON and YAML-like text in an error line
        (#"ERROR: [029]: {"password": "PW", "user": "app"}"#, #"ERROR: [029]: {"password": "<redacted>", "user": "app"}"#),
        ("secret: PW", "secret: <redacted>"),
        // bearer credentials and our tokens
        ("Authorization: Bearer abc.def", "Authorization: <redacted>"),
        ("token imfc_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK used", "token imfc_<redacted> used"),
        ("Bearer abc.def", "Bearer <redacted>"),
        // kept
        ("--stanza=main --type=full LANG=C --log-level-console=info", "--stanza=main --type=full LANG=C --log-level-console=info"),
        ("https://example.com/path?x=1 user@host", "https://example.com/path?x=1 user@host"),
        ("3 checks passed: all fine; keyboard: de", "3 checks passed: all fine; keyboard: de"),
        ("duplicate key value violates unique constraint", "duplicate key value violates unique constraint"),
        ("ERROR: [029]: unable to read: Prüfung fehlgeschlagen", "ERROR: [029]: unable to read: Prüfung fehlgeschlagen"),
    ])
    func text(input: String, expected: String) {
        #expect(SecretRedaction.text(input) == expected)
        // idempotent
        #expect(SecretRedaction.text(expected) == expected)
    }

    @Test("command lines: the value after a sensitive option, annotations other than ours")
    func arguments() {
        let id = "0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11"
        let given = ["env", "PGPASSWORD=PW", "DATABASE_URL=postgresql://app:PW@db/x", "pgbackrest", "--repo1-cipher-pass", "PW",
                     "--repo1-s3-key=PW", "--annotation=audit_event_id=\(id)", "--annotation=note=PW", "--annotation", "ticket=PW",
                     "--stanza=main", "--type=full", "backup"]
        #expect(SecretRedaction.arguments(given) == [
            "env", "PGPASSWORD=<redacted>", "DATABASE_URL=postgresql://app:<redacted>@db/x", "pgbackrest", "--repo1-cipher-pass",
            "<redacted>", "--repo1-s3-key=<redacted>", "--annotation=audit_event_id=\(id)", "--annotation=note=<redacted>",
            "--annotation", "ticket=<redacted>", "--stanza=main", "--type=full", "backup",
        ])
        #expect(SecretRedaction.arguments(SecretRedaction.arguments(given)) == SecretRedaction.arguments(given))
        #expect(!SecretRedaction.arguments(given).joined(separator: " ").contains("PW"))
    }

    @Test("sensitive names", arguments: [
        ("PGPASSWORD", true), ("repo1-cipher-pass", true), ("repo1-s3-key", true), ("repo1-s3-key-secret", true), ("api_token", true),
        ("AWS_SECRET_ACCESS_KEY", true), ("auth", true), ("Authorization", true), ("passphrase", true),
        ("passed", false), ("keyboard", false), ("stanza", false), ("monkey", false), ("author", false),
    ])
    func names(name: String, sensitive: Bool) {
        #expect(SecretRedaction.isSensitive(name) == sensitive)
    }
}
