import Chronology
import Compliance
import JCS
import Testing

/// The JSON form of a new event (POST body, spool line): validation names the member.
@Suite struct NewBackupEventJSONTests {
    func decode(_ text: String, allowEventID: Bool = false) throws -> NewBackupEvent {
        try NewBackupEvent(json: try JSONParser.parse(Array(text.utf8)), allowEventID: allowEventID)
    }

    @Test func fullEventRoundTrips() throws {
        let text = #"""
            {"event_id":"0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11","run_id":"5e0e4a5e-1d7c-4b8a-9a55-1a2b3c4d5e6f",
             "type":"backup_full","status":"succeeded","occurred_at":"2026-11-26T13:57:56+01:00","stanza":"main","repo":1,
             "label":"20261126-135752F","started_at":"2026-11-26T12:57:52Z","finished_at":"2026-11-26T12:57:56Z",
             "size_bytes":36845299,"delta_bytes":36845299,"repo_size_bytes":8038128,"repo_delta_bytes":8038128,
             "wal_start":"000000010000000000000004","wal_stop":"000000010000000000000004","lsn_start":"0/4000028",
             "lsn_stop":"0/4000100","exit_code":0,"error":null,"host":"db-1","details":{"b":[1,2],"a":"x"}}
            """#
        let e = try decode(text, allowEventID: true)
        #expect(e.eventID == "0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11" && e.type == .backupFull && e.status == .succeeded)
        #expect(e.occurredAt == Timestamp(rfc3339: "2026-11-26T12:57:56Z") && e.repo == 1 && e.sizeBytes == 36_845_299)
        #expect(e.details == #"{"a":"x","b":[1,2]}"#)
        let again = try NewBackupEvent(json: try JSONParser.parse(Array(e.json.text.utf8)), allowEventID: true)
        #expect(again == e)
    }

    /// Issue 12, item 3a: JSON Schema's integer is any number with a zero fraction.
    @Test("integer members accept numbers with a zero fraction, as JSON Schema does", arguments: [
        (#""size_bytes":121143.0"#, Int64(121_143)), (#""size_bytes":1.21143e5"#, 121_143), (#""size_bytes":-0.0"#, 0),
        (#""size_bytes":0e10"#, 0), (#""size_bytes":9223372036854775807.0"#, .max),
    ])
    func zeroFractionIntegers(member: String, value: Int64) throws {
        let e = try decode(#"{"type":"check","status":"succeeded","repo":2.0,"exit_code":0.0,"# + member + "}")
        #expect(e.sizeBytes == value && e.repo == 2 && e.exitCode == 0)
        // the spool's JSON form writes the plain integer
        #expect(e.json.text.contains(#""size_bytes":\#(value)"#))
    }

    @Test("lengths count characters, as JSON Schema's maxLength does, not UTF-8 bytes")
    func lengthsInCharacters() throws {
        let host = String(repeating: "ä", count: 255)
        #expect(try decode(#"{"type":"check","status":"failed","host":"\#(host)"}"#).host == host)
        #expect(throws: NewBackupEvent.FieldError.self) { try decode(#"{"type":"check","status":"failed","host":"\#(host)ä"}"#) }
    }

    @Test("every bad member is named", arguments: [
        (#"[]"#, "body"),
        (#"{"status":"failed"}"#, "type"),
        (#"{"type":"weekly","status":"failed"}"#, "type"),
        (#"{"type":"check"}"#, "status"),
        (#"{"type":"check","status":"running"}"#, "status"),
        (#"{"type":"check","status":"failed","typo":1}"#, "typo"),
        (#"{"type":"check","status":"failed","event_id":"0b6f7a52-4f0e-4a34-9d55-2b1e8f1c0a11"}"#, "event_id"),
        (#"{"type":"check","status":"failed","run_id":"not-a-uuid"}"#, "run_id"),
        (#"{"type":"check","status":"failed","occurred_at":"2026-11-26T12:00:00"}"#, "occurred_at"),
        (#"{"type":"check","status":"failed","repo":0}"#, "repo"),
        (#"{"type":"check","status":"failed","repo":"1"}"#, "repo"),
        (#"{"type":"check","status":"failed","size_bytes":-1}"#, "size_bytes"),
        (#"{"type":"check","status":"failed","size_bytes":1.5}"#, "size_bytes"),
        (#"{"type":"check","status":"failed","size_bytes":1e400}"#, "size_bytes"),
        (#"{"type":"check","status":"failed","size_bytes":-1.0}"#, "size_bytes"),
        (#"{"type":"check","status":"failed","size_bytes":9223372036854775808}"#, "size_bytes"),
        (#"{"type":"check","status":"failed","exit_code":255.5}"#, "exit_code"),
        (#"{"type":"check","status":"failed","occurred_at":"0000-01-01T00:00:00Z"}"#, "occurred_at"),
        (#"{"type":"check","status":"failed","occurred_at":"9999-12-31T23:59:00-23:59"}"#, "occurred_at"),
        (#"{"type":"check","status":"failed","exit_code":256}"#, "exit_code"),
        (#"{"type":"check","status":"failed","stanza":"a b"}"#, "stanza"),
        (#"{"type":"check","status":"failed","stanza":""}"#, "stanza"),
        (#"{"type":"check","status":"failed","wal_start":"0000000100000000000004"}"#, "wal_start"),
        (#"{"type":"check","status":"failed","lsn_stop":"0/xyz"}"#, "lsn_stop"),
        (#"{"type":"check","status":"failed","error":"a\u0000b"}"#, "error"),
        (#"{"type":"check","status":"failed","details":[]}"#, "details"),
        (#"{"type":"check","status":"failed","details":{"a":"\u0000"}}"#, "details"),
        (#"{"type":"check","status":"failed","started_at":"2026-11-26T12:00:00Z","finished_at":"2026-11-26T11:00:00Z"}"#, "finished_at"),
    ])
    func invalid(text: String, field: String) {
        do {
            _ = try decode(text)
            Issue.record("accepted: \(text)")
        } catch let error as NewBackupEvent.FieldError {
            #expect(error.field == field, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
