import JCS
import Redaction

extension NewBackupEvent {
    /// The event with secrets removed from its free-text fields (`SecretRedaction`): the error
    /// line, and `details` — every string in it, and any string under a sensitive member name
    /// (`{"password": "…"}`). `backup_audit` can never be purged and organization-scoped auditors
    /// read it, so the store applies this to every event it writes, whatever the path (wrapper,
    /// spool, API, ingest). Idempotent.
    public func redactingSecrets() -> NewBackupEvent {
        var e = self
        e.errorMessage = errorMessage.map(SecretRedaction.text)
        e.details = Self.redacted(details: details)
        return e
    }

    static func redacted(details: String) -> String {
        guard let parsed = try? JSONParser.parse(Array(details.utf8), mode: .strict), parsed.members != nil else {
            return SecretRedaction.text(details)
        }
        let redacted = redact(parsed, sensitiveName: false)
        // Unchanged values keep their stored text (numbers as written, member order).
        return redacted == parsed ? details : redacted.canonical.text
    }

    private static func redact(_ value: JSONValue, sensitiveName: Bool) -> JSONValue {
        switch value {
        case .string(let s):
            return .string(sensitiveName && s != SecretRedaction.marker ? SecretRedaction.marker : SecretRedaction.text(s))
        case .array(let items):
            return .array(items.map { redact($0, sensitiveName: sensitiveName) })
        case .object(let members):
            return .object(members.map { (key: $0.key, value: redact($0.value, sensitiveName: SecretRedaction.isSensitive($0.key))) })
        default:
            return value
        }
    }
}
