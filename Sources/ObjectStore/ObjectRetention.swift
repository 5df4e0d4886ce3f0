import Chronology
import XML

/// A version's retention: `<Retention><Mode>…</Mode><RetainUntilDate>…</RetainUntilDate></Retention>`
/// (GetObjectRetention's answer, PutObjectRetention's body), and the
/// `x-amz-object-lock-retain-until-date` value of a PUT.
public struct ObjectRetention: Sendable, Equatable {
    public var mode: ObjectLockMode
    public var retainUntil: Timestamp

    public init(mode: ObjectLockMode, retainUntil: Timestamp) {
        self.mode = mode
        self.retainUntil = retainUntil
    }

    /// The date as sent: ISO 8601 in UTC, whole seconds (`2036-01-01T00:00:00Z`).
    public var retainUntilText: String {
        Timestamp(secondsSinceEpoch: retainUntil.secondsSinceEpoch).rfc3339Compact
    }

    /// The PutObjectRetention body.
    public var xmlBody: [UInt8] {
        S3XMLWriter.document("Retention", S3XMLWriter.element("Mode", mode.rawValue) + S3XMLWriter.element("RetainUntilDate", retainUntilText))
    }

    /// Reads a GetObjectRetention answer.
    public init(document: XMLElement) throws(XMLError) {
        guard document.name == "Retention" else { throw .unexpected("<\(document.name)> instead of <Retention>") }
        guard let modeText = document.value("Mode"), let mode = ObjectLockMode(rawValue: modeText) else {
            throw .unexpected("<Retention> without a known <Mode>")
        }
        guard let dateText = document.value("RetainUntilDate"), let date = Timestamp(rfc3339: dateText.trimmed) else {
            throw .unexpected("<Retention> without a readable <RetainUntilDate>")
        }
        self.init(mode: mode, retainUntil: date)
    }
}

extension String {
    /// Without surrounding XML white space (documents may be indented).
    var trimmed: String {
        let space: Set<Character> = [" ", "\t", "\n", "\r"]
        guard let first = firstIndex(where: { !space.contains($0) }), let last = lastIndex(where: { !space.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
