import API
import Chronology
import Compliance
import ComplianceStore
import JCS

/// The invariants the API fuzzer asserts on every input: the decoding of what a client controls
/// besides the HTTP framing — the backup-events query string, the cursor, and the JSON body of a
/// new event. Nothing may trap, and whatever is accepted must be in range and round-trip.
/// Shared by the libFuzzer harness (`FuzzAPI`, tools/fuzz.sh api) and the seed-replay test;
/// violations trap (`precondition`), which libFuzzer reports as a crash with the input saved.
///
/// The first byte picks the decoder (`% 3`: query, cursor, body); the rest is its input.
public enum RequestInputInvariants {
    public static func check(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let input = Array(data.dropFirst())
        switch selector % 3 {
        case 0: checkQuery(String(decoding: input, as: UTF8.self))
        case 1: checkCursor(String(decoding: input, as: UTF8.self))
        default: checkBody(input)
        }
    }

    static func checkQuery(_ text: String) {
        guard case .success(let q) = BackupEventsEndpoint.parse(text) else { return }
        precondition((1...BackupEventQuery.maxLimit).contains(q.limit), "limit out of range")
        if let after = q.after { precondition(after.occurredAt.isInRFC3339Range, "a cursor outside 0001–9999") }
        // Bounds may be any RFC 3339 time; they render (and bind) whatever their year.
        for t in [q.from, q.to].compactMap({ $0 }) { _ = t.rfc3339 }
        if let after = q.after { precondition(BackupEventCursor(encoded: after.encoded) == after, "cursor does not round-trip") }
        // Building the statement renders every bound value (times included), as a request would.
        let query = BackupAuditStore.pageQuery(q)
        precondition(!query.sql.isEmpty && query.bindings.count >= 1)
    }

    static func checkCursor(_ text: String) {
        guard let cursor = BackupEventCursor(encoded: text) else { return }
        precondition(cursor.occurredAt.isInRFC3339Range, "a decoded cursor is outside the bindable range")
        let again = cursor.encoded
        precondition(again.utf8.count == BackupEventCursor.encodedLength, "encoded cursor of the wrong length")
        precondition(BackupEventCursor(encoded: again) == cursor, "cursor does not round-trip")
        _ = cursor.occurredAt.rfc3339
    }

    static func checkBody(_ body: [UInt8]) {
        guard case .success(let event) = RecordBackupEventEndpoint.parse(contentType: ["application/json"], idempotencyKey: [],
                                                                          body: body) else { return }
        for t in [event.occurredAt, event.startedAt, event.finishedAt].compactMap({ $0 }) {
            precondition(t.isInRFC3339Range, "an accepted time is outside 0001–9999")
        }
        if let s = event.startedAt, let f = event.finishedAt { precondition(s <= f, "finished before started") }
        for size in [event.sizeBytes, event.deltaBytes, event.repoSizeBytes, event.repoDeltaBytes].compactMap({ $0 }) {
            precondition(size >= 0, "a negative size was accepted")
        }
        precondition(event.requestSHA256?.count == 32, "no request hash")
        // The spool's JSON form reads back as the same event (the wrapper's round trip).
        let line = event.json.text
        guard let parsed = try? JSONParser.parse(Array(line.utf8)), let back = try? NewBackupEvent(json: parsed, allowEventID: true) else {
            preconditionFailure("the JSON form of an accepted event does not parse: \(line)")
        }
        var expected = event
        expected.requestSHA256 = nil
        expected.idempotencyKey = nil
        precondition(back == expected, "the JSON form does not round-trip")
    }
}
