import XML
/// One page of ListObjectVersions (`GET /bucket?versions&prefix=…`): the versions and delete
/// markers under a prefix, and where the next page starts (AWS S3 API Reference,
/// ListObjectVersions). Every version of a key is listed, also those behind a delete marker —
/// which is how a verifier finds locked objects that a database row no longer names.
public struct VersionListing: Sendable, Equatable {
    public struct Version: Sendable, Equatable {
        public let key: String
        public let versionID: String
        public let isDeleteMarker: Bool

        public init(key: String, versionID: String, isDeleteMarker: Bool) {
            self.key = key
            self.versionID = versionID
            self.isDeleteMarker = isDeleteMarker
        }
    }

    public var versions: [Version]
    /// Set when more follow: the markers to ask for the next page with.
    public var next: (keyMarker: String, versionIDMarker: String)?

    public static func == (a: Self, b: Self) -> Bool {
        a.versions == b.versions && a.next?.keyMarker == b.next?.keyMarker && a.next?.versionIDMarker == b.next?.versionIDMarker
    }

    /// Reads `<ListVersionsResult>`.
    public init(document: XMLElement) throws(XMLError) {
        guard document.name == "ListVersionsResult" else { throw .unexpected("<\(document.name)> instead of <ListVersionsResult>") }
        var versions: [Version] = []
        for child in document.children where child.name == "Version" || child.name == "DeleteMarker" {
            guard let key = child.value("Key"), let version = child.value("VersionId")?.trimmed, !version.isEmpty else {
                throw .unexpected("<\(child.name)> without <Key> or <VersionId>")
            }
            versions.append(Version(key: key, versionID: version, isDeleteMarker: child.name == "DeleteMarker"))
        }
        self.versions = versions
        if document.value("IsTruncated")?.trimmed == "true" {
            guard let key = document.value("NextKeyMarker"), !key.isEmpty else { throw .unexpected("a truncated listing without <NextKeyMarker>") }
            next = (key, document.value("NextVersionIdMarker")?.trimmed ?? "")
        } else {
            next = nil
        }
    }
}
