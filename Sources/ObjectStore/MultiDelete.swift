import XML
/// DeleteObjects (`POST /bucket?delete`): up to 1,000 keys or versions in one request, each
/// answered on its own — a locked version is refused in the `<DeleteResult>` as an `<Error>`
/// entry while the others go, and the request itself answers 200 (AWS S3 API Reference,
/// DeleteObjects). So the result is read entry by entry, never taken from the status.
public enum MultiDelete {
    /// At most this many entries per request (AWS).
    public static let maximumEntries = 1000

    /// One key, or one version of it, to delete.
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let versionID: String?

        public init(key: String, versionID: String? = nil) {
            self.key = key
            self.versionID = versionID
        }
    }

    /// What happened to one entry.
    public enum Outcome: Sendable, Equatable {
        /// Deleted; without a version ID a delete marker was added (its version ID given).
        case deleted(Entry, deleteMarkerVersionID: String?)
        /// Refused: S3's `<Code>` and `<Message>` for this entry.
        case refused(Entry, code: String, message: String)
    }

    /// The request body: every entry, not quiet (so each is answered).
    public static func body(_ entries: [Entry]) -> [UInt8] {
        let objects = entries.map { entry in
            "<Object>" + S3XMLWriter.element("Key", entry.key) + (entry.versionID.map { S3XMLWriter.element("VersionId", $0) } ?? "") + "</Object>"
        }.joined()
        return S3XMLWriter.document("Delete", S3XMLWriter.element("Quiet", "false") + objects)
    }

    /// Reads `<DeleteResult>`: its `<Deleted>` and `<Error>` entries in document order.
    public static func outcomes(document: XMLElement) throws(XMLError) -> [Outcome] {
        guard document.name == "DeleteResult" else { throw .unexpected("<\(document.name)> instead of <DeleteResult>") }
        var outcomes: [Outcome] = []
        for child in document.children {
            guard let key = child.value("Key") else {
                if child.name == "Deleted" || child.name == "Error" { throw .unexpected("<\(child.name)> without a <Key>") }
                continue
            }
            let entry = Entry(key: key, versionID: child.value("VersionId")?.trimmed)
            switch child.name {
            case "Deleted":
                let marker = child.value("DeleteMarker")?.trimmed == "true" ? child.value("DeleteMarkerVersionId")?.trimmed : nil
                outcomes.append(.deleted(entry, deleteMarkerVersionID: marker))
            case "Error":
                outcomes.append(.refused(entry, code: child.value("Code")?.trimmed ?? "", message: child.value("Message")?.trimmed ?? ""))
            default:
                continue
            }
        }
        return outcomes
    }
}
