import Chronology
import ComplianceTesting
import Foundation
import Postgres
import Testing

/// Every supported type decodes from a live PostgreSQL 15 (binary format), NULL included.
@Suite struct DecodingTests {
    let pool: ConnectionPool

    init() async throws {
        pool = try await TestEnvironment.shared.database("decoding", migrated: false).pool(size: 2)
    }

    func row(_ query: Query) async throws -> Row {
        try await pool.query(query).single()
    }

    @Test func integers() async throws {
        let r = try await row("SELECT 7::int2 AS a, (-2147483648)::int4 AS b, 9223372036854775807::int8 AS c, 26::oid AS d")
        #expect(try r.decode(Int.self, "a") == 7)
        #expect(try r.decode(Int.self, "b") == -2_147_483_648)
        #expect(try r.decode(Int64.self, "c") == .max)
        #expect(try r.decode(Int.self, "d") == 26)
        #expect(throws: PostgresError.self) { try r.decode(Int32.self, "c") }
    }

    @Test("text types keep every byte: umlauts, quotes, emoji, backslashes")
    func text() async throws {
        let value = "Größe \"A\" 'b' \\ € 😀 –"
        let r = try await row("SELECT \(value)::text AS t, \(value)::varchar AS v, 'ab'::char(4) AS c, 'x'::name AS n, ''::text AS e")
        #expect(try r.decode(String.self, "t") == value)
        #expect(try r.decode(String.self, "v") == value)
        #expect(try r.decode(String.self, "c") == "ab  ")
        #expect(try r.decode(String.self, "n") == "x")
        #expect(try r.decode(String.self, "e") == "")
        // Empty is not NULL (both have length 0 in libpq; only PQgetisnull tells them apart).
        let nulls = try await row("SELECT ''::text AS e, NULL::text AS n, ''::bytea AS b, NULL::bytea AS nb")
        #expect(try nulls.decode(String?.self, "e") == "" && nulls.rawBytes(at: 0) != nil)
        #expect(try nulls.decode(String?.self, "n") == nil && nulls.rawBytes(at: 1) == nil)
        #expect(nulls.rawBytes(at: 2)?.count == 0 && nulls.rawBytes(at: 3) == nil)
    }

    @Test func booleans() async throws {
        let r = try await row("SELECT true AS t, false AS f, \(true) AS bound")
        #expect(try r.decode(Bool.self, "t") && !(try r.decode(Bool.self, "f")) && (try r.decode(Bool.self, "bound")))
    }

    @Test("timestamptz is independent of the session TimeZone and DateStyle")
    func timestamps() async throws {
        try await pool.withConnection { c in
            try await c.execute("SET TimeZone = 'America/New_York'")
            try await c.execute("SET DateStyle = 'SQL, DMY'")
            let r = try await c.query("""
                SELECT '2024-01-31 10:15:02.123456+01'::timestamptz AS tz, '2024-01-31 09:15:02'::timestamp AS ts,
                       'epoch'::timestamptz AS e, \(Timestamp(microsecondsSinceEpoch: 1_795_701_476_000_001)) AS bound
                """).single()
            #expect(try r.decode(Timestamp.self, "tz").rfc3339 == "2024-01-31T09:15:02.123456Z")
            #expect(try r.decode(Timestamp.self, "ts").rfc3339 == "2024-01-31T09:15:02.000000Z")
            #expect(try r.decode(Timestamp.self, "e").microsecondsSinceEpoch == 0)
            #expect(try r.decode(Timestamp.self, "bound").microsecondsSinceEpoch == 1_795_701_476_000_001)
            let infinite = try await c.query("SELECT 'infinity'::timestamptz AS i").single()
            #expect(throws: PostgresError.self) { try infinite.decode(Timestamp.self, "i") }
        }
    }

    @Test func dates() async throws {
        let r = try await row("SELECT '2024-02-29'::date AS d, '1969-12-31'::date AS old, \(CalendarDate(iso: "2026-11-26")!) AS bound")
        #expect(try r.decode(CalendarDate.self, "d").iso == "2024-02-29")
        #expect(try r.decode(CalendarDate.self, "old").iso == "1969-12-31")
        #expect(try r.decode(CalendarDate.self, "bound").iso == "2026-11-26")
    }

    @Test func uuids() async throws {
        let id = UUID()
        let r = try await row("SELECT \(id) AS u, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS upper")
        #expect(try r.decode(UUID.self, "u") == id)
        #expect(try r.decode(String.self, "upper") == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    }

    @Test("numeric is exact, never Double", arguments: [
        "0", "1200.00", "-0.01", "123456789012345678901234567890.123456789", "0.00000000000000000001",
        "10000", "-99999999.99", "NaN", "Infinity", "-Infinity", "0.000", "1e3",
    ])
    func numeric(text: String) async throws {
        let r = try await row("SELECT \(text)::numeric AS n, (\(text)::numeric)::text AS t")
        #expect(try r.decode(PostgresNumeric.self, "n").text == r.decode(String.self, "t"))
    }

    @Test func decimals() async throws {
        let r = try await row("SELECT 1234.56::numeric(12,2) AS money, \(Decimal(string: "-0.10")!) AS bound, 1e40::numeric AS huge")
        #expect(try r.decode(Decimal.self, "money") == Decimal(string: "1234.56"))
        #expect(try r.decode(Decimal.self, "bound") == Decimal(string: "-0.1"))
        #expect(throws: PostgresError.self) { try r.decode(Decimal.self, "huge") }
        #expect(throws: PostgresError.self) { try r.decode(Double.self, "money") }
    }

    @Test func bytea() async throws {
        let bytes: [UInt8] = [0, 1, 2, 0xff, 0, 0x5c, 0x27]
        let r = try await row("SELECT \(PostgresBytes(bytes)) AS b, ''::bytea AS empty, octet_length(\(PostgresBytes(bytes))) AS n")
        #expect(try r.decode(PostgresBytes.self, "b").bytes == bytes)
        #expect(try r.decode(PostgresBytes.self, "empty").bytes == [])
        #expect(try r.decode(Int.self, "n") == 7)
    }

    @Test func json() async throws {
        let r = try await row(#"SELECT '{"b": 1, "a": "ä"}'::jsonb AS jb, '{"b": 1}'::json AS j, \#(PostgresJSONB("[1,2]")) AS bound"#)
        #expect(try r.decode(PostgresJSONB.self, "jb").text == #"{"a": "ä", "b": 1}"#)
        #expect(try r.decode(String.self, "j") == #"{"b": 1}"#)
        #expect(try r.decode(PostgresJSONB.self, "bound").text == "[1, 2]")
    }

    @Test func floats() async throws {
        let r = try await row("SELECT 1.5::float4 AS f, 2.25::float8 AS d")
        #expect(try r.decode(Double.self, "f") == 1.5)
        #expect(try r.decode(Double.self, "d") == 2.25)
    }

    @Test("NULL decodes as nil into optionals, and fails into non-optionals naming the column")
    func nulls() async throws {
        let r = try await row("""
            SELECT NULL::int8 AS i, NULL::text AS t, NULL::bool AS b, NULL::timestamptz AS ts, NULL::date AS d,
                   NULL::uuid AS u, NULL::numeric AS n, NULL::bytea AS by, NULL::jsonb AS j, \(Optional<Int>.none) AS bound
            """)
        #expect(try r.decode(Int?.self, "i") == nil)
        #expect(try r.decode(String?.self, "t") == nil)
        #expect(try r.decode(Bool?.self, "b") == nil)
        #expect(try r.decode(Timestamp?.self, "ts") == nil)
        #expect(try r.decode(CalendarDate?.self, "d") == nil)
        #expect(try r.decode(UUID?.self, "u") == nil)
        #expect(try r.decode(PostgresNumeric?.self, "n") == nil)
        #expect(try r.decode(PostgresBytes?.self, "by") == nil)
        #expect(try r.decode(PostgresJSONB?.self, "j") == nil)
        #expect(try r.decode(Int?.self, "bound") == nil)
        #expect(r.isNull("t"))
        let error = #expect(throws: PostgresError.self) { try r.decode(Int.self, "i") }
        #expect(error?.code == .decoding)
        #expect(error?.message.contains("column \"i\"") == true)
        #expect(error?.message.contains("got NULL") == true)
    }

    @Test("a type mismatch names column, expected and actual type")
    func mismatch() async throws {
        let r = try await row("SELECT 'x'::text AS name_col, now() AS ts")
        let error = #expect(throws: PostgresError.self) { try r.decode(Int.self, "name_col") }
        #expect(error?.message == "column \"name_col\" (row 0): expected int2, int4 or int8, got text")
        let other = #expect(throws: PostgresError.self) { try r.decode(UUID.self, "ts") }
        #expect(other?.message.contains("expected uuid, got timestamptz") == true)
        #expect(throws: PostgresError.self) { try r.decode(String.self, "missing") }
    }

    @Test("bound arrays keep quotes, backslashes and NULL elements")
    func arrays() async throws {
        let values: [String?] = ["a\"b", "c\\d", nil, "{x,y}", "", "NULL"]
        let r = try await pool.query("SELECT v IS NULL AS isnull, v FROM unnest(\(values)::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n")
        #expect(r.count == values.count)
        for (i, expected) in values.enumerated() {
            #expect(try r[i].decode(String?.self, "v") == expected)
        }
        let ints = try await row("SELECT \([1, 2, 3])::int8[] = ARRAY[1,2,3]::int8[] AS same")
        #expect(try ints.decode(Bool.self, "same"))
    }

    @Test("a NUL byte in a text parameter is refused before it is sent")
    func nulByte() async throws {
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT \("a\u{0}b")::text AS t") }
        #expect(error?.code == .invalidParameter)
        #expect(try await row("SELECT 1 AS one").decode(Int.self, "one") == 1)
    }

    @Test("bytes that are not UTF-8 stay bytes: decoding bytea as text is refused")
    func bytesAreNotText() async throws {
        let r = try await row(#"SELECT '\xc328'::bytea AS b"#)
        #expect(try r.decode(PostgresBytes.self, "b").bytes == [0xc3, 0x28])
        #expect(throws: PostgresError.self) { try r.decode(String.self, "b") }
    }
}
