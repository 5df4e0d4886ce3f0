import Chronology
import JCS

/// `pgbackrest info --output=json` (2.45 schema, docs/pgbackrest.md §4), decoded leniently: invalid
/// UTF-8 and raw control characters (a wrong cipher pass puts them in `status.message`) do not
/// stop the decoding, `system-id` stays exact, unknown members are ignored.
public struct PgBackRestInfo: Sendable, Equatable {
    public var stanzas: [Stanza]

    public struct Status: Sendable, Equatable {
        /// 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4/5 repo
        /// mismatches, 6 backup not found, 99 other. `info` exits 0 whatever this says.
        public var code: Int
        public var message: String
    }

    public struct Repo: Sendable, Equatable {
        public var key: Int
        public var status: Status
    }

    public struct Backup: Sendable, Equatable {
        public var label: String
        /// `full`, `diff` or `incr`.
        public var type: String
        public var start: Timestamp?
        public var stop: Timestamp?
        public var size: Int64?
        public var delta: Int64?
        public var repoSize: Int64?
        public var repoDelta: Int64?
        public var walStart: String?
        public var walStop: String?
        public var lsnStart: String?
        public var lsnStop: String?
        /// Page-checksum errors in a backup that completed (not a failure flag).
        public var error: Bool
        public var repoKey: Int?
        public var annotations: [String: String]
        public var pgbackrestVersion: String?
    }

    public struct Stanza: Sendable, Equatable {
        public var name: String
        public var status: Status
        public var repos: [Repo]
        public var systemIDs: [Int64]
        /// Oldest to newest, as pgBackRest lists them.
        public var backups: [Backup]

        /// Whether the stanza and every repo report `ok` (code 0). A wrong cipher pass shows
        /// as code 99 here, with exit code 0.
        public var isHealthy: Bool { status.code == 0 && repos.allSatisfy { $0.status.code == 0 } }

        public func backup(annotatedWith eventID: String) -> Backup? {
            backups.last { $0.annotations["audit_event_id"] == eventID }
        }

        public func backup(label: String) -> Backup? { backups.last { $0.label == label } }
    }

    public init(stanzas: [Stanza]) { self.stanzas = stanzas }

    /// Decodes the output; fails only when it is not JSON or not an array of stanzas.
    public init(json bytes: [UInt8]) throws(InfoDecodingError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, mode: .lenient)
        } catch {
            throw InfoDecodingError("info output is not JSON (\(error.description))")
        }
        guard let items = root.array else { throw InfoDecodingError("info output is not an array of stanzas") }
        var stanzas: [Stanza] = []
        for item in items {
            guard let name = item["name"]?.string else { throw InfoDecodingError("a stanza without a name") }
            let repos = (item["repo"]?.array ?? []).map { repo in
                Repo(key: Int(repo["key"]?.integer ?? 0), status: Self.status(repo["status"]))
            }
            let systemIDs = (item["db"]?.array ?? []).compactMap { $0["system-id"]?.integer }
            var backups: [Backup] = []
            for b in item["backup"]?.array ?? [] {
                guard let label = b["label"]?.string, let type = b["type"]?.string else {
                    throw InfoDecodingError("a backup of stanza \(name) without label or type")
                }
                var annotations: [String: String] = [:]
                for (key, value) in b["annotation"]?.members ?? [] {
                    if let text = value.string { annotations[key] = text }
                }
                backups.append(Backup(
                    label: label, type: type,
                    start: b["timestamp"]?["start"]?.integer.map(Timestamp.init(secondsSinceEpoch:)),
                    stop: b["timestamp"]?["stop"]?.integer.map(Timestamp.init(secondsSinceEpoch:)),
                    size: b["info"]?["size"]?.integer, delta: b["info"]?["delta"]?.integer,
                    repoSize: b["info"]?["repository"]?["size"]?.integer,
                    repoDelta: b["info"]?["repository"]?["delta"]?.integer,
                    walStart: b["archive"]?["start"]?.string, walStop: b["archive"]?["stop"]?.string,
                    lsnStart: b["lsn"]?["start"]?.string, lsnStop: b["lsn"]?["stop"]?.string,
                    error: b["error"]?.bool ?? false,
                    repoKey: b["database"]?["repo-key"]?.integer.map { Int($0) },
                    annotations: annotations,
                    pgbackrestVersion: b["backrest"]?["version"]?.string))
            }
            stanzas.append(Stanza(name: name, status: Self.status(item["status"]), repos: repos,
                                  systemIDs: systemIDs, backups: backups))
        }
        self.stanzas = stanzas
    }

    private static func status(_ value: JSONValue?) -> Status {
        guard let value, let code = value["code"]?.integer else { return Status(code: 99, message: "no status reported") }
        return Status(code: Int(clamping: code), message: value["message"]?.string ?? "")
    }
}
