import Chronology
import JCS

/// The JSON form of a new event: the body of `POST /api/compliance/backup-events` and one line
/// of the wrapper's spool file. Member names are those of the GET items (`type`, `error`, …).
/// Validation is strict and names the member: unknown members are refused (a typo must not
/// silently drop evidence), strings carry no NUL (PostgreSQL text cannot), sizes are
/// non-negative integers (JSON Schema's sense: any number with a zero fraction, so `121143.0` is
/// 121143 and `-0.0` is 0), times are RFC 3339 with an offset in the years 0001–9999.
extension NewBackupEvent {
    /// A member that is missing, unknown or invalid.
    public struct FieldError: Error, Equatable, CustomStringConvertible {
        public let field: String
        public let reason: String
        public var description: String { "\(field): \(reason)" }

        public init(_ field: String, _ reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    static let clientFields: Set<String> = [
        "type", "status", "run_id", "occurred_at", "stanza", "repo", "label", "started_at", "finished_at",
        "size_bytes", "delta_bytes", "repo_size_bytes", "repo_delta_bytes", "wal_start", "wal_stop", "lsn_start",
        "lsn_stop", "exit_code", "error", "host", "details",
    ]

    /// Decodes and validates `value`. `allowEventID`: the spool carries the event id the wrapper
    /// chose (and passed to pgBackRest as an annotation); API clients never choose it.
    public init(json value: JSONValue, allowEventID: Bool = false) throws(FieldError) {
        guard let members = value.members else { throw FieldError("body", "must be a JSON object") }
        var fields: [String: JSONValue] = [:]
        for (key, member) in members {
            guard Self.clientFields.contains(key) || (allowEventID && key == "event_id") else {
                throw FieldError(key, "unknown member")
            }
            fields[key] = member
        }

        func text(_ name: String, max: Int, pattern: ((String) -> Bool)? = nil, hint: String = "") throws(FieldError) -> String? {
            guard let v = fields[name], !v.isNull else { return nil }
            guard let s = v.string else { throw FieldError(name, "must be a string") }
            guard !s.isEmpty, s.utf8.count <= max else { throw FieldError(name, "must be 1–\(max) bytes") }
            guard !s.utf8.contains(0) else { throw FieldError(name, "must not contain NUL") }
            if let pattern, !pattern(s) { throw FieldError(name, hint) }
            return s
        }
        func time(_ name: String) throws(FieldError) -> Timestamp? {
            guard let s = try text(name, max: 64) else { return nil }
            guard let t = Timestamp(rfc3339: s) else { throw FieldError(name, "must be an RFC 3339 time with offset") }
            return t
        }
        func integer(_ name: String, _ range: ClosedRange<Int64>) throws(FieldError) -> Int64? {
            guard let v = fields[name], !v.isNull else { return nil }
            // JSON Schema's integer: 121143.0 and 1.21143e5 are 121143; 1.5 and 1e400 are not integers.
            guard let i = v.exactInteger, range.contains(i) else { throw FieldError(name, "must be an integer in \(range.lowerBound)…\(range.upperBound)") }
            return i
        }
        let visible: (String) -> Bool = { $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }
        let uuid: (String) -> Bool = { s in
            let b = Array(s.utf8)
            return b.count == 36 && b.indices.allSatisfy { i in
                [8, 13, 18, 23].contains(i) ? b[i] == UInt8(ascii: "-")
                    : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b[i])
            }
        }
        let walName: (String) -> Bool = { $0.utf8.count == 24 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) } }
        let lsn: (String) -> Bool = { s in
            let parts = s.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { (1...8).contains($0.count) && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) }
        }

        guard let typeText = try text("type", max: 32) else { throw FieldError("type", "is required") }
        guard let type = BackupEventType(rawValue: typeText) else {
            throw FieldError("type", "must be one of \(BackupEventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let statusText = try text("status", max: 32) else { throw FieldError("status", "is required") }
        guard let status = BackupEventStatus(rawValue: statusText) else {
            throw FieldError("status", "must be one of \(BackupEventStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var details = "{}"
        if let d = fields["details"], !d.isNull {
            guard d.members != nil else { throw FieldError("details", "must be a JSON object") }
            details = d.canonical.text
            guard details.utf8.count <= 65_536 else { throw FieldError("details", "must be at most 64 KiB") }
            guard !details.contains("\\u0000") else { throw FieldError("details", "must not contain NUL") }
        }
        self.init(
            eventID: allowEventID ? try text("event_id", max: 36, pattern: uuid, hint: "must be a lowercase UUID") : nil,
            runID: try text("run_id", max: 36, pattern: uuid, hint: "must be a lowercase UUID"),
            type: type, status: status,
            occurredAt: try time("occurred_at"),
            stanza: try text("stanza", max: 64, pattern: visible, hint: "must be visible ASCII"),
            repo: try integer("repo", 1...256).map { Int($0) },
            label: try text("label", max: 128, pattern: visible, hint: "must be visible ASCII"),
            startedAt: try time("started_at"), finishedAt: try time("finished_at"),
            sizeBytes: try integer("size_bytes", 0...Int64.max), deltaBytes: try integer("delta_bytes", 0...Int64.max),
            repoSizeBytes: try integer("repo_size_bytes", 0...Int64.max),
            repoDeltaBytes: try integer("repo_delta_bytes", 0...Int64.max),
            walStart: try text("wal_start", max: 24, pattern: walName, hint: "must be a WAL segment name (24 upper-case hex digits)"),
            walStop: try text("wal_stop", max: 24, pattern: walName, hint: "must be a WAL segment name (24 upper-case hex digits)"),
            lsnStart: try text("lsn_start", max: 17, pattern: lsn, hint: "must be an LSN like 0/4000028"),
            lsnStop: try text("lsn_stop", max: 17, pattern: lsn, hint: "must be an LSN like 0/4000028"),
            exitCode: try integer("exit_code", 0...255).map { Int($0) },
            errorMessage: try text("error", max: 4000),
            host: try text("host", max: 255),
            details: details)
        if let s = startedAt, let f = finishedAt, f < s { throw FieldError("finished_at", "must not be before started_at") }
    }

    /// The JSON form (`init(json:allowEventID: true)` reads it back unchanged).
    public var json: CanonicalJSON {
        var m: [String: CanonicalJSON] = ["type": .string(type.rawValue), "status": .string(status.rawValue)]
        func put(_ key: String, _ value: String?) { if let value { m[key] = .string(value) } }
        func put(_ key: String, _ value: Int64?) { if let value { m[key] = .integer(value) } }
        put("event_id", eventID)
        put("run_id", runID)
        put("occurred_at", occurredAt?.rfc3339)
        put("stanza", stanza)
        put("repo", repo.map(Int64.init))
        put("label", label)
        put("started_at", startedAt?.rfc3339)
        put("finished_at", finishedAt?.rfc3339)
        put("size_bytes", sizeBytes)
        put("delta_bytes", deltaBytes)
        put("repo_size_bytes", repoSizeBytes)
        put("repo_delta_bytes", repoDeltaBytes)
        put("wal_start", walStart)
        put("wal_stop", walStop)
        put("lsn_start", lsnStart)
        put("lsn_stop", lsnStop)
        put("exit_code", exitCode.map(Int64.init))
        put("error", errorMessage)
        put("host", host)
        if details != "{}" { m["details"] = .verbatim(details) }
        return .object(m)
    }
}
