import Chronology
import JCS

/// The JSON form of a new event: the body of `POST /api/compliance/backup-events` and one line
/// of the wrapper's spool file. Members and their rules come from `BackupAuditColumn` (names as
/// in the GET items: `type`, `error`, …). Validation is strict and names the member: unknown
/// members are refused (a typo must not silently drop evidence), strings carry no NUL
/// (PostgreSQL text cannot), sizes are non-negative integers (JSON Schema's sense: any number
/// with a zero fraction, so `121143.0` is 121143 and `-0.0` is 0), times are RFC 3339 with an
/// offset in the years 0001–9999.
extension NewBackupEvent {
    public typealias FieldError = Compliance.FieldError

    /// Decodes and validates `value`. `allowEventID`: the spool carries the event id the wrapper
    /// chose (and passed to pgBackRest as an annotation); API clients never choose it.
    public init(json value: JSONValue, allowEventID: Bool = false) throws(FieldError) {
        let values = try RecordJSON.values(from: value, excluded: allowEventID ? [] : [.eventID], as: BackupAuditColumn.self)
        do {
            try self.init(values: values)
        } catch {
            // The rules already checked every member; this is a description out of step with the type.
            throw FieldError(error.column, error.reason)
        }
        if let s = startedAt, let f = finishedAt, f < s { throw FieldError("finished_at", "must not be before started_at") }
    }

    /// The JSON form (`init(json:allowEventID: true)` reads it back unchanged); `details` is left
    /// out when it is the empty object.
    public var json: CanonicalJSON {
        guard case .object(var members) = RecordJSON.object(self) else { return .null }
        if details == "{}" { members["details"] = nil }
        return .object(members)
    }
}
